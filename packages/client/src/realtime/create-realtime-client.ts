import { createParleyClient } from '../create-parley-client.js';
import { ParleyApiError } from '../parley-api-error.js';
import { resolveToken, type TokenProvider } from '../token-provider.js';
import { type BackoffOptions, backoffDelay } from './backoff-delay.js';
import { DedupeWindow } from './dedupe-window.js';
import {
  type ClientFrame,
  type DurableFrame,
  isDurable,
  isKnownDurable,
  type PresenceFrame,
  type TypingFrame,
  type UnknownDurableFrame,
} from './frames.js';
import { SseFrameReader } from './sse-frame-reader.js';
import { TypedEmitter } from './typed-emitter.js';
import { TypingThrottle, type TypingThrottleOptions } from './typing-throttle.js';

/**
 * The part of a WebSocket this client uses: the browser's `WebSocket` and Node's `ws` both fit.
 * Handlers take `never` so that either implementation's own event types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers (and Node ≥ 22), `ws`'s on Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `connecting` (first attempt), `open`, `reconnecting` (after a drop, until open again), `closed` (stopped). */
export type RealtimeStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The transport in use. */
export type RealtimeTransport = 'websocket' | 'sse';

/** Something went wrong; `fatal` means the client stopped (status `closed`) and will not reconnect. */
export interface RealtimeError {
  /**
   * `connect`: an attempt failed (retried); `close`: the server closed the connection (with
   * `code`); `frame`: the server refused a frame we sent (`code` from its `error` frame or problem).
   */
  readonly kind: 'connect' | 'close' | 'frame';
  readonly code?: string | number;
  readonly message: string;
  readonly fatal: boolean;
  readonly cause?: unknown;
}

/** Why the app should refetch its inbox and open conversation. */
export interface ResyncNotice {
  /**
   * `resync_required`: the server could not replay from our position; `no_position`: we
   * reconnected before any durable frame gave us a position, so what happened meanwhile is unknown.
   */
  readonly reason: 'resync_required' | 'no_position';
}

/** What `on(name, listener)` delivers. */
export interface RealtimeEvents {
  /** A durable frame of a known type, once (duplicates dropped), in the order received. */
  readonly event: DurableFrame;
  /** A durable frame of a type this client does not know (a later server's): ignore or inspect. */
  readonly unknown: UnknownDurableFrame;
  readonly typing: TypingFrame;
  readonly presence: PresenceFrame;
  readonly status: RealtimeStatus;
  readonly resync: ResyncNotice;
  readonly error: RealtimeError;
}

/** How to connect and behave. */
export interface RealtimeClientOptions {
  /** The API's origin (and prefix), as for `createParleyClient`; `''` for the page's own origin. */
  readonly baseUrl: string;
  /** The bearer token, or a provider called before every connect (and again after a 4401). */
  readonly token: TokenProvider;
  /** `auto` (default): WebSocket, SSE after repeated failures to open one or without a WebSocket class. */
  readonly transport?: 'auto' | 'websocket' | 'sse';
  /** The WebSocket class; default `globalThis.WebSocket` (absent on Node 20: pass `ws`'s). */
  readonly WebSocket?: WebSocketConstructor;
  /** Default `globalThis.fetch` (tickets, the SSE stream, SSE client frames). */
  readonly fetch?: typeof fetch;
  /** Resume after this event id on the first connection (e.g. kept from a previous page). */
  readonly since?: string;
  /** Connect at once (default true); else call `connect()`. */
  readonly autoConnect?: boolean;
  /** Acknowledge received `message.sent` frames (delivery receipts), batched per conversation (default true). */
  readonly autoAck?: boolean;
  /** How long acks are gathered before they go out (default 250 ms). */
  readonly ackDelayMs?: number;
  /** Reconnect delays (default 500 ms doubling up to 30 s, full jitter). */
  readonly backoff?: BackoffOptions;
  /** A connection open this long resets the backoff (default 10 s). */
  readonly stableAfterMs?: number;
  /** In `auto`, WebSocket attempts that fail before opening, in a row, before switching to SSE (default 2). */
  readonly webSocketFailuresBeforeSse?: number;
  /** How often a `ping` frame goes out on a WebSocket (default 25 s). */
  readonly pingIntervalMs?: number;
  /** With nothing received for this long (frames, pongs, SSE heartbeats), the connection is dropped and reopened (default 70 s). */
  readonly idleTimeoutMs?: number;
  /** How many event ids are remembered to drop duplicates (default 1000). */
  readonly dedupeSize?: number;
  readonly typing?: TypingThrottleOptions;
  /** `[0, 1)`; default `Math.random` (tests: their own, for the jitter). */
  readonly random?: () => number;
}

/** The real-time client. */
export interface RealtimeClient {
  readonly status: RealtimeStatus;
  /** The transport of the current (or last) connection; null before the first attempt. */
  readonly transport: RealtimeTransport | null;
  /** The id of the last durable frame processed: where a reconnect resumes. */
  readonly lastEventId: string | undefined;
  /** Listens to `name`; returns the function that stops listening. */
  on<K extends keyof RealtimeEvents>(name: K, listener: (payload: RealtimeEvents[K]) => void): () => void;
  /** Starts connecting (no-op while connected or connecting); after `close()`, starts again. */
  connect(): void;
  /** Drops the current connection (if any) and reconnects now, without waiting for the backoff. */
  reconnect(): void;
  /** Stops: `stop` for standing typing indicators, closes the connection (1000), no more reconnects. */
  close(): void;
  /** A keystroke in `conversationId`: `start` at most once per 2 s, `stop` after idle. */
  typing(conversationId: string): void;
  /** The person stopped typing (sent or cleared): `stop` now. */
  stopTyping(conversationId: string): void;
  /** `online` or `away` (e.g. the tab hidden); kept and said again on every reconnect. */
  setPresence(status: 'online' | 'away'): void;
  /** Acknowledges a `message.sent` frame (delivered to this person) now. */
  ack(eventId: string): void;
  /** Sends a `ping` (answered by a `pong`, which counts as activity). */
  ping(): void;
}

const OPEN = 1;
const FATAL_CLOSE_CODES = new Set([1008, 1009]);

/** One connection attempt; events of a replaced attempt are ignored. */
interface Connection {
  readonly transport: RealtimeTransport;
  opened: boolean;
  /** The code a server gave for ending it (WebSocket close, SSE `close` frame). */
  closeCode: number | null;
  closeReason: string;
  send(frame: ClientFrame): void;
  /** Ends it from our side, without reporting a drop. */
  dispose(): void;
}

/**
 * Creates the real-time client of docs/realtime.md: ticket authentication (`POST
 * /api/v1/realtime/ticket`, then `?ticket=`; SSE streams send the bearer header), reconnect with
 * exponential backoff and full jitter (reset after a stable connection), resume with `since` /
 * `Last-Event-ID` from the last durable frame, duplicates dropped within a bounded window,
 * `resync_required` as a `resync` event, close codes as the docs' table says (4401: token provider
 * again, at once; 1008/1009: stop and report; others: reconnect), SSE fallback, throttled typing,
 * presence, batched automatic acks and a liveness check. Uses timers and network I/O only while
 * connected or reconnecting.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws'; // Node 20 only; browsers have their own
 * const live = createRealtimeClient({ baseUrl, token: () => auth.freshToken(), WebSocket });
 * live.on('event', (frame) => { if (frame.type === 'message.sent') inbox.add(frame.data.message); });
 * live.on('resync', () => inbox.refetch());
 * ```
 */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const api = createParleyClient({ baseUrl, token: options.token, fetch: fetchImpl });
  const WebSocketClass =
    options.WebSocket ??
    (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket ??
    undefined;
  const mode = options.transport ?? 'auto';
  const random = options.random ?? Math.random;
  const stableAfterMs = options.stableAfterMs ?? 10_000;
  const failuresBeforeSse = options.webSocketFailuresBeforeSse ?? 2;
  const pingIntervalMs = options.pingIntervalMs ?? 25_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 70_000;
  const ackDelayMs = options.ackDelayMs ?? 250;
  const autoAck = options.autoAck ?? true;

  const emitter = new TypedEmitter<RealtimeEvents>();
  const dedupe = new DedupeWindow(options.dedupeSize ?? 1_000);
  const typing = new TypingThrottle(
    (conversationId, state) => send({ type: 'typing', conversation_id: conversationId, state }),
    options.typing ?? {},
  );

  let status: RealtimeStatus = 'closed';
  let running = false;
  let connection: Connection | null = null;
  let lastTransport: RealtimeTransport | null = null;
  let lastEventId = options.since;
  let everOpened = false;
  let attempt = 0;
  let webSocketFailures = 0;
  let lastDropWasAuth = false;
  let presence: 'online' | 'away' = 'online';
  let lastActivity = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let stableTimer: ReturnType<typeof setTimeout> | null = null;
  let pingTimer: ReturnType<typeof setInterval> | null = null;
  let ackTimer: ReturnType<typeof setTimeout> | null = null;
  const pendingAcks = new Map<string, string>();

  // In a browser, coming back online retries at once instead of waiting out the backoff.
  const events = globalThis as unknown as {
    addEventListener?: (type: string, listener: () => void) => void;
    removeEventListener?: (type: string, listener: () => void) => void;
  };
  const onOnline = () => {
    if (running && status === 'reconnecting') client.reconnect();
  };

  const setStatus = (next: RealtimeStatus) => {
    if (status === next) return;
    status = next;
    emitter.emit('status', next);
  };

  function send(frame: ClientFrame): void {
    if (connection?.opened) connection.send(frame);
  }

  function clearTimers(): void {
    for (const timer of [retryTimer, stableTimer, ackTimer]) if (timer !== null) clearTimeout(timer);
    if (pingTimer !== null) clearInterval(pingTimer);
    retryTimer = stableTimer = ackTimer = pingTimer = null;
  }

  function flushAcks(): void {
    ackTimer = null;
    for (const eventId of pendingAcks.values()) send({ type: 'ack', event_id: eventId });
    pendingAcks.clear();
  }

  function handleFrame(current: Connection, frame: Record<string, unknown>): void {
    if (current !== connection) return;
    lastActivity = Date.now();
    if (isDurable(frame)) {
      if (!dedupe.add(frame.id)) return;
      lastEventId = frame.id;
      if (!isKnownDurable(frame)) {
        emitter.emit('unknown', frame);
        return;
      }
      if (frame.type === 'message.sent' && autoAck && frame.conversation_id !== null) {
        // One ack covers everything before it in the conversation: keep the latest per conversation.
        pendingAcks.set(frame.conversation_id, frame.id);
        ackTimer ??= setTimeout(flushAcks, ackDelayMs);
      }
      emitter.emit('event', frame);
      return;
    }
    switch (frame.type) {
      case 'typing':
        emitter.emit('typing', frame as unknown as TypingFrame);
        return;
      case 'presence':
        emitter.emit('presence', frame as unknown as PresenceFrame);
        return;
      case 'resync_required':
        emitter.emit('resync', { reason: 'resync_required' });
        return;
      case 'error':
        emitter.emit('error', {
          kind: 'frame',
          code: String(frame.code),
          message: String(frame.message),
          fatal: false,
        });
        return;
      case 'close':
        current.closeCode = typeof frame.code === 'number' ? frame.code : null;
        current.closeReason = String(frame.reason ?? '');
        return;
      default:
        // `pong`, and ephemeral types a later server adds: activity only.
        return;
    }
  }

  function opened(current: Connection): void {
    if (current !== connection) return;
    current.opened = true;
    lastTransport = current.transport;
    lastActivity = Date.now();
    if (current.transport === 'websocket') webSocketFailures = 0;
    const reconnected = everOpened;
    everOpened = true;
    setStatus('open');
    if (presence === 'away') send({ type: 'presence', status: 'away' });
    stableTimer = setTimeout(() => {
      attempt = 0;
      lastDropWasAuth = false;
    }, stableAfterMs);
    pingTimer = setInterval(
      () => {
        if (connection !== current) return;
        if (Date.now() - lastActivity > idleTimeoutMs) {
          dropped(current, null, 'nothing received within the idle timeout');
          return;
        }
        if (current.transport === 'websocket') send({ type: 'ping' });
      },
      Math.min(pingIntervalMs, idleTimeoutMs),
    );
    if (reconnected && lastEventId === undefined) emitter.emit('resync', { reason: 'no_position' });
  }

  /** The connection ended (or never opened): decide whether, and when, to try again. */
  function dropped(current: Connection, code: number | null, reason: string, reported = false): void {
    if (current !== connection) return;
    connection = null;
    current.dispose();
    clearTimers();
    pendingAcks.clear();
    typing.reset();
    if (!running) return;
    const closeCode = current.closeCode ?? code;
    if (closeCode !== null && FATAL_CLOSE_CODES.has(closeCode)) {
      running = false;
      events.removeEventListener?.('online', onOnline);
      setStatus('closed');
      emitter.emit('error', {
        kind: 'close',
        code: closeCode,
        message: `the server closed the connection (${closeCode}${reason ? `: ${reason}` : ''}); not reconnecting`,
        fatal: true,
      });
      return;
    }
    if (!current.opened && current.transport === 'websocket') webSocketFailures += 1;
    if (closeCode !== null && !reported)
      emitter.emit('error', {
        kind: current.opened ? 'close' : 'connect',
        code: closeCode,
        message: `connection closed (${closeCode}${reason ? `: ${reason}` : ''})`,
        fatal: false,
      });
    setStatus(everOpened ? 'reconnecting' : 'connecting');
    // 4401: the token expired; ask the provider again at once, unless that just happened.
    const auth = closeCode === 4401;
    const delay = auth && !lastDropWasAuth ? 0 : backoffDelay(attempt++, options.backoff, random);
    lastDropWasAuth = auth;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  }

  function failed(current: Connection, error: unknown): void {
    if (current !== connection) return;
    // Refused credentials (the ticket request, the SSE stream) are handled like a 4401.
    if (error instanceof ParleyApiError && error.status === 401) current.closeCode = 4401;
    emitter.emit('error', {
      kind: 'connect',
      ...(error instanceof ParleyApiError ? { code: error.status } : {}),
      message: error instanceof Error ? error.message : String(error),
      fatal: false,
      cause: error,
    });
    dropped(current, null, '', true);
  }

  function useSse(): boolean {
    if (mode === 'sse') return true;
    if (WebSocketClass === undefined) return mode === 'auto';
    return mode === 'auto' && webSocketFailures >= failuresBeforeSse;
  }

  function open(): void {
    if (!running || connection !== null) return;
    if (mode === 'websocket' && WebSocketClass === undefined) {
      running = false;
      events.removeEventListener?.('online', onOnline);
      setStatus('closed');
      emitter.emit('error', {
        kind: 'connect',
        message: 'no WebSocket class: pass options.WebSocket (e.g. `ws` on Node 20)',
        fatal: true,
      });
      return;
    }
    if (useSse()) openSse();
    else openWebSocket(WebSocketClass as WebSocketConstructor);
  }

  function openWebSocket(Socket: WebSocketConstructor): void {
    let socket: WebSocketLike | null = null;
    let disposed = false;
    const current: Connection = {
      transport: 'websocket',
      opened: false,
      closeCode: null,
      closeReason: '',
      send: (frame) => {
        if (socket?.readyState === OPEN) socket.send(JSON.stringify(frame));
      },
      dispose: () => {
        disposed = true;
        if (!socket) return;
        socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
        try {
          socket.close(1000);
        } catch {
          // Closing a socket that never connected may throw in some implementations.
        }
      },
    };
    connection = current;
    api.realtimeTicket().then(
      ({ ticket }) => {
        if (disposed || connection !== current) return;
        const query = new URLSearchParams({ ticket });
        if (lastEventId !== undefined) query.set('since', lastEventId);
        const url = endpoint(baseUrl, '/api/v1/realtime');
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        url.search = query.toString();
        try {
          socket = new Socket(url.toString());
        } catch (error) {
          failed(current, error);
          return;
        }
        socket.onopen = () => opened(current);
        socket.onmessage = ((event: { data: unknown }) => {
          const text = typeof event.data === 'string' ? event.data : String(event.data);
          let frame: unknown;
          try {
            frame = JSON.parse(text);
          } catch {
            return;
          }
          if (frame && typeof frame === 'object' && !Array.isArray(frame))
            handleFrame(current, frame as Record<string, unknown>);
        }) as (event: never) => void;
        socket.onclose = ((event: { code: number; reason: string }) =>
          dropped(current, event.code, event.reason)) as (event: never) => void;
        // An error is followed by a close, which decides what happens next.
        socket.onerror = () => {};
      },
      (error: unknown) => failed(current, error),
    );
  }

  function openSse(): void {
    const abort = new AbortController();
    const current: Connection = {
      transport: 'sse',
      opened: false,
      closeCode: null,
      closeReason: '',
      send: (frame) => {
        void postFrame(current, frame);
      },
      dispose: () => abort.abort(),
    };
    connection = current;
    void (async () => {
      let response: Response;
      try {
        const headers: Record<string, string> = {
          accept: 'text/event-stream',
          authorization: `Bearer ${await resolveToken(options.token)}`,
        };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        response = await fetchImpl(endpoint(baseUrl, '/api/v1/realtime/sse').toString(), {
          headers,
          signal: abort.signal,
        });
      } catch (error) {
        if (!abort.signal.aborted) failed(current, error);
        return;
      }
      if (!response.ok || !response.body) {
        const error = response.ok
          ? new Error('the SSE response has no body')
          : await ParleyApiError.fromResponse(response);
        failed(current, error);
        return;
      }
      const reader = new SseFrameReader({
        onFrame: (frame) => handleFrame(current, frame),
        onComment: () => {
          lastActivity = Date.now();
        },
      });
      opened(current);
      const decoder = new TextDecoder();
      const body = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await body.read();
          if (done) break;
          reader.feed(decoder.decode(value, { stream: true }));
        }
      } catch {
        // The stream broke (network, abort): a drop like any other.
      }
      if (!abort.signal.aborted) dropped(current, null, current.closeReason);
    })();
  }

  async function postFrame(current: Connection, frame: ClientFrame): Promise<void> {
    try {
      const response = await fetchImpl(endpoint(baseUrl, '/api/v1/realtime/frames').toString(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await resolveToken(options.token)}`,
        },
        body: JSON.stringify(frame),
      });
      if (response.ok) {
        if (response.status === 200) {
          await response.text();
          if (current === connection) lastActivity = Date.now();
        }
        return;
      }
      const error = await ParleyApiError.fromResponse(response);
      emitter.emit('error', {
        kind: 'frame',
        code: error.code,
        message: error.message,
        fatal: false,
        cause: error,
      });
    } catch (error) {
      emitter.emit('error', {
        kind: 'frame',
        message: error instanceof Error ? error.message : String(error),
        fatal: false,
        cause: error,
      });
    }
  }

  const client: RealtimeClient = {
    get status() {
      return status;
    },
    get transport() {
      return connection?.transport ?? lastTransport;
    },
    get lastEventId() {
      return lastEventId;
    },
    on: (name, listener) => emitter.on(name, listener),
    connect() {
      if (running) return;
      running = true;
      attempt = 0;
      events.addEventListener?.('online', onOnline);
      setStatus(everOpened ? 'reconnecting' : 'connecting');
      open();
    },
    reconnect() {
      if (!running) {
        client.connect();
        return;
      }
      if (retryTimer !== null) {
        clearTimeout(retryTimer);
        retryTimer = null;
        open();
        return;
      }
      const current = connection;
      if (current) {
        connection = null;
        current.dispose();
        clearTimers();
        pendingAcks.clear();
        typing.reset();
        setStatus('reconnecting');
        open();
      }
    },
    close() {
      if (!running && connection === null) {
        setStatus('closed');
        return;
      }
      for (const conversationId of typing.active) typing.stop(conversationId);
      if (ackTimer !== null) flushAcks();
      running = false;
      events.removeEventListener?.('online', onOnline);
      const current = connection;
      connection = null;
      current?.dispose();
      clearTimers();
      typing.reset();
      setStatus('closed');
    },
    typing: (conversationId) => typing.typing(conversationId),
    stopTyping: (conversationId) => typing.stop(conversationId),
    setPresence(next) {
      presence = next;
      send({ type: 'presence', status: next });
    },
    ack: (eventId) => send({ type: 'ack', event_id: eventId }),
    ping: () => send({ type: 'ping' }),
  };
  if (options.autoConnect ?? true) client.connect();
  return client;
}

/** The absolute URL of an API path: against `baseUrl`, or the page's location when it is `''`. */
function endpoint(baseUrl: string, path: string): URL {
  if (baseUrl !== '') return new URL(`${baseUrl}${path}`);
  const here = (globalThis as { location?: { href: string } }).location?.href;
  if (here === undefined) throw new Error('baseUrl is required outside a browser page');
  return new URL(path, here);
}
