import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRealtimeClient, type RealtimeClientOptions } from './create-realtime-client.js';
import type { DurableFrame } from './frames.js';

/** A WebSocket double the test drives as the server would; the client under test is real. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  serverOpen() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSend(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number) {
    this.readyState = 3;
    this.onclose?.({ code, reason: 'test' });
  }
}

const message = (id: string, conversation: string) => ({
  id,
  type: 'message.sent',
  conversation_id: conversation,
  occurred_at: '2026-12-07T08:00:00.000Z',
  data: { message: { content: `m${id}` }, conversation: {}, read_state: null },
});

describe('createRealtimeClient over a WebSocket double', () => {
  let tickets: number;
  const options = (extra: Partial<RealtimeClientOptions> = {}): RealtimeClientOptions => ({
    baseUrl: 'https://api.example.com',
    token: 't',
    WebSocket: FakeSocket as unknown as NonNullable<RealtimeClientOptions['WebSocket']>,
    fetch: async () => {
      tickets += 1;
      return new Response(
        JSON.stringify({ ticket: `ticket-${tickets}`, expires_at: '2026-12-07T08:01:00.000Z' }),
        {
          status: 200,
          headers: { 'content-type': 'application/json' },
        },
      );
    },
    random: () => 0.5,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    ...extra,
  });
  /** Lets the ticket request (a resolved fetch) and its continuations run. */
  const settle = async () => {
    for (let i = 0; i < 5; i += 1) await vi.advanceTimersByTimeAsync(0);
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    FakeSocket.all = [];
    tickets = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('connects with a ticket, emits each durable frame once, resumes with since after a 1013', async () => {
    const client = createRealtimeClient(options());
    const events: DurableFrame[] = [];
    client.on('event', (frame) => events.push(frame));
    await settle();
    const [first] = FakeSocket.all;
    expect(first?.url).toBe('wss://api.example.com/api/v1/realtime?ticket=ticket-1');
    first?.serverOpen();
    expect(client.status).toBe('open');
    first?.serverSend(message('10', 'c1'));
    first?.serverSend(message('11', 'c1'));
    first?.serverSend(message('10', 'c1'));
    expect(events.map((f) => f.id)).toEqual(['10', '11']);
    expect(client.lastEventId).toBe('11');

    first?.serverClose(1013);
    expect(client.status).toBe('reconnecting');
    // Attempt 0: half (random 0.5) of the 1000 ms cap.
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    const second = FakeSocket.all[1];
    expect(second?.url).toBe('wss://api.example.com/api/v1/realtime?ticket=ticket-2&since=11');
    second?.serverOpen();
    second?.serverSend(message('11', 'c1'));
    second?.serverSend(message('12', 'c1'));
    expect(events.map((f) => f.id)).toEqual(['10', '11', '12']);
    client.close();
    expect(client.status).toBe('closed');
  });

  it('grows the delay while attempts fail, and resets it after a stable connection', async () => {
    // WebSocket only: in `auto`, sockets that never open would send it to SSE.
    const client = createRealtimeClient(options({ stableAfterMs: 5_000, transport: 'websocket' }));
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const socket = FakeSocket.all.at(-1);
      socket?.serverClose(1006);
      const before = FakeSocket.all.length;
      let waited = 0;
      while (FakeSocket.all.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      delays.push(waited);
    }
    // Caps 1000, 2000, 4000 ms; half of each (random 0.5), to the 50 ms step.
    expect(delays).toEqual([500, 1000, 2000]);
    FakeSocket.all.at(-1)?.serverOpen();
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.all.at(-1)?.serverClose(1001);
    const before = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all.length).toBe(before + 1);
    client.close();
  });

  it('stops and reports a fatal error on 1009; reconnects at once on 4401', async () => {
    const client = createRealtimeClient(options());
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    await settle();
    FakeSocket.all[0]?.serverOpen();
    FakeSocket.all[0]?.serverClose(4401);
    await settle();
    expect(FakeSocket.all).toHaveLength(2);
    expect(tickets).toBe(2);
    FakeSocket.all[1]?.serverOpen();
    FakeSocket.all[1]?.serverClose(1009);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(client.status).toBe('closed');
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'close', code: 4401, fatal: false }),
      expect.objectContaining({ kind: 'close', code: 1009, fatal: true }),
    ]);
  });

  it('batches acks per conversation (the latest message each), sends presence again on reconnect', async () => {
    const client = createRealtimeClient(options({ ackDelayMs: 200 }));
    await settle();
    const socket = FakeSocket.all[0] as FakeSocket;
    socket.serverOpen();
    client.setPresence('away');
    for (const [id, conversation] of [
      ['20', 'c1'],
      ['21', 'c2'],
      ['22', 'c1'],
    ] as const)
      socket.serverSend(message(id, conversation));
    expect(socket.sent).toEqual([{ type: 'presence', status: 'away' }]);
    await vi.advanceTimersByTimeAsync(200);
    expect(socket.sent.slice(1)).toEqual([
      { type: 'ack', event_id: '22' },
      { type: 'ack', event_id: '21' },
    ]);
    socket.serverClose(1001);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    FakeSocket.all[1]?.serverOpen();
    expect(FakeSocket.all[1]?.sent).toEqual([{ type: 'presence', status: 'away' }]);
    client.close();
  });

  it('reports resync_required, and a reconnect without any position as no_position', async () => {
    const client = createRealtimeClient(options());
    const resyncs: unknown[] = [];
    client.on('resync', (notice) => resyncs.push(notice));
    await settle();
    FakeSocket.all[0]?.serverOpen();
    FakeSocket.all[0]?.serverSend({ type: 'resync_required' });
    FakeSocket.all[0]?.serverClose(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    FakeSocket.all[1]?.serverOpen();
    expect(resyncs).toEqual([{ reason: 'resync_required' }, { reason: 'no_position' }]);
    client.close();
  });

  it('pings on an interval and reconnects when nothing comes back within the idle timeout', async () => {
    const client = createRealtimeClient(options({ pingIntervalMs: 1_000, idleTimeoutMs: 2_500 }));
    await settle();
    const socket = FakeSocket.all[0] as FakeSocket;
    socket.serverOpen();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(socket.sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
    socket.serverSend({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.status).toBe('open');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.status).toBe('reconnecting');
    client.close();
  });
});
