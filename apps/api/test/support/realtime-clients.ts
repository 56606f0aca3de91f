import { type ClientRequest, get as httpGet, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { ComposedApi } from '../../src/composition-root.js';
import type { Call } from './client.js';

// biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field
export type Frame = Record<string, any>;

/**
 * Store user `token` starts a `store_customer` conversation with `customer` (the fixture's `c1`
 * unless said) and a first message; returns its id, failing the test on any other answer than 201.
 */
export async function startStoreConversation(
  call: Call,
  token: string,
  subject: string,
  initialMessage: string,
  customer = 'c1',
): Promise<string> {
  const created = await call('POST', '/api/v1/store/messages', {
    token,
    body: {
      conversation_type: 'store_customer',
      subject,
      recipient_type: 'customer',
      recipient_id: customer,
      initial_message: initialMessage,
    },
  });
  if (created.status !== 201) throw new Error(`starting a conversation: ${created.status} ${created.text}`);
  return created.body.id as string;
}

/** Listens on a free port of 127.0.0.1; returns the base URL (`http://127.0.0.1:…`). */
export async function listen(api: Pick<ComposedApi, 'app'>): Promise<string> {
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = api.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Something that receives frames in order and lets a test wait for the next matching one. */
class FrameQueue {
  readonly frames: Frame[] = [];
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }[] = [];
  #read = 0;

  push(frame: Frame): void {
    this.frames.push(frame);
    for (const waiter of [...this.#waiters]) {
      const index = this.frames.findIndex((f, i) => i >= waiter.from && waiter.match(f));
      if (index >= 0) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        this.#read = Math.max(this.#read, index + 1);
        waiter.resolve(this.frames[index] as Frame);
      }
    }
  }

  /** The next frame (after those already taken) matching `match`, within `timeoutMs`. */
  next(match: (f: Frame) => boolean = () => true, timeoutMs = 5_000): Promise<Frame> {
    const from = this.#read;
    const index = this.frames.findIndex((f, i) => i >= from && match(f));
    if (index >= 0) {
      this.#read = index + 1;
      return Promise.resolve(this.frames[index] as Frame);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve, from };
      this.#waiters.push(waiter);
      setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at < 0) return;
        this.#waiters.splice(at, 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
    });
  }

  /** Resolves true when no frame matching `match` arrives within `ms`. */
  async none(match: (f: Frame) => boolean, ms = 300): Promise<boolean> {
    try {
      await this.next(match, ms);
      return false;
    } catch {
      return true;
    }
  }
}

/** A real `ws` client with a frame queue. */
export class TestSocket extends FrameQueue {
  closeCode: number | null = null;
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    super();
    socket.on('message', (data) => this.push(JSON.parse(data.toString('utf8')) as Frame));
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /**
   * Connects to `{base}/api/v1/realtime{query}`; rejects with `{ status, body }` when the server
   * answers the upgrade with an HTTP error.
   */
  static connect(
    base: string,
    options: { token?: string; query?: string; headers?: Record<string, string> } = {},
  ): Promise<TestSocket> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const url = `${base.replace(/^http/, 'ws')}/api/v1/realtime${options.query ?? ''}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new TestSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        response.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body }),
          ),
        );
      });
      socket.once('error', (error) => reject(error));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<number> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    return this.closed;
  }
}

/**
 * A real SSE client over `node:http` (a connection of its own, no pool: a pooled client keeps
 * spare connections the server would wait for at shutdown), parsing `id:` / `event:` / `data:`
 * lines as they stream in.
 */
export class TestEventStream extends FrameQueue {
  readonly ids: (string | undefined)[] = [];
  readonly comments: string[] = [];
  #request: ClientRequest | null = null;
  #buffer = '';

  private constructor() {
    super();
  }

  /** Opens the stream; rejects with `{ status, body }` on an HTTP error. */
  static open(
    base: string,
    options: { token?: string; query?: string; headers?: Record<string, string> } = {},
  ): Promise<TestEventStream & { status: number; headers: IncomingHttpHeaders }> {
    const stream = new TestEventStream();
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const request = httpGet(`${base}/api/v1/realtime/sse${options.query ?? ''}`, { headers, agent: false });
      stream.#request = request;
      request.on('error', reject);
      request.on('response', (response) => {
        response.setEncoding('utf8');
        if (response.statusCode !== 200) {
          let body = '';
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () =>
            reject(
              Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body }),
            ),
          );
          return;
        }
        response.on('data', (chunk: string) => stream.#read(chunk));
        response.on('error', () => {});
        resolve(Object.assign(stream, { status: 200, headers: response.headers }));
      });
    });
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    let end = this.#buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let id: string | undefined;
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data !== '') {
        this.ids.push(id);
        this.push(JSON.parse(data) as Frame);
      }
      end = this.#buffer.indexOf('\n\n');
    }
  }

  async close(): Promise<void> {
    this.#request?.destroy();
  }
}

/** Polls `check` until it holds (or throws after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const began = Date.now();
  while (!(await check())) {
    if (Date.now() - began > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
