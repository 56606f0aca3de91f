import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Call, seedFixture, tokensFor } from './support/client.js';

// An API instance killed with SIGKILL (issue 12, "Across instances"): clients that resume on
// another instance with `since` lose nothing, and the dead instance's people turn offline for the
// others once its presence reports expire (no goodbye was said). Real processes, so the kill is real.
const url = process.env.DATABASE_URL;
if (!url) console.info('[parley] real-time SIGKILL test skipped: it needs PostgreSQL (set DATABASE_URL)');

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'sigkill-secret-sigkill-secret-sigkill-0123';

interface Frame {
  readonly id?: string;
  readonly type: string;
  readonly conversation_id?: string;
  // biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field
  readonly data?: any;
  // biome-ignore lint/suspicious/noExplicitAny: ephemeral frames carry their fields at the top level
  readonly [field: string]: any;
}

/** A WebSocket client that keeps every frame and waits for the ones a test expects. */
class LiveClient {
  readonly frames: Frame[] = [];
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static async open(base: string, token: string, since?: string): Promise<LiveClient> {
    const target = new URL('/api/v1/realtime', base.replace(/^http/, 'ws'));
    if (since !== undefined) target.searchParams.set('since', since);
    const socket = new WebSocket(target, { headers: { authorization: `Bearer ${token}` } });
    const live = new LiveClient(socket);
    await new Promise<void>((ok, fail) => {
      socket.once('open', () => ok());
      socket.once('error', fail);
    });
    return live;
  }

  next(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((ok, fail) => {
      const timer = setTimeout(
        () =>
          fail(
            new Error(
              `no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          ok(f);
        },
      });
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.close();
  }
}

const admin = async (statement: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
};

/** An API as its own process (`src/main.ts`), so it can be killed with SIGKILL. */
async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@parley/source', 'src/main.ts'], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`API did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const match = /Parley API\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => fail(new Error(`API exited (${code}):\n${output}`)));
  });
  return { child, base };
}

describe.runIf(url !== undefined)('an instance killed with SIGKILL (postgres)', () => {
  const schema = `t_rt_kill_${Math.random().toString(36).slice(2, 10)}`;
  const children: ChildProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-rt-kill-'));
    await admin(`create schema ${schema}`);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await admin(`drop schema if exists ${schema} cascade`);
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing for a client that resumes on the other instance with since; the dead one’s people turn offline', async () => {
    const env = (name: string) => ({
      PARLEY_DATABASE_URL: url ?? '',
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_DATABASE_POOL_SIZE: '4',
      PARLEY_JWT_SECRET: SECRET,
      PARLEY_DATA_DIR: join(dir, name),
      PARLEY_PORT: '0',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_SEED_DEMO: 'false',
      PARLEY_NOTIFICATIONS_WORKER: 'off',
      PARLEY_RATE_LIMIT_MAX: '1000000',
      // Presence reports expire after about 2.5 heartbeats: a dead instance is forgotten in seconds.
      PARLEY_REALTIME_HEARTBEAT: '1s',
    });
    const a = await startProcess(env('a'));
    children.push(a.child);
    const b = await startProcess(env('b'));
    children.push(b.child);
    const tokens = await tokensFor(SECRET);
    const http = async (base: string, method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text), text, headers: {} };
    };
    const callA: Call = (method, path, options = {}) =>
      http(a.base, method, path, options.token ?? '', options.body);
    await seedFixture(callA, tokens.service);
    const created = await http(a.base, 'POST', '/api/v1/store/messages', tokens.store1, {
      conversation_type: 'store_customer',
      subject: 'Survives a crash',
      recipient_type: 'customer',
      recipient_id: 'c1',
    });
    expect(created.status).toBe(201);
    const conversationId = created.body.id as string;
    const send = (content: string) =>
      http(a.base, 'POST', `/api/v1/store/messages/${conversationId}/messages`, tokens.store1, { content });

    const store = await LiveClient.open(a.base, tokens.store1);
    const onB = await LiveClient.open(b.base, tokens.customer1);
    await store.next((f) => f.type === 'presence' && f.participant?.id === 'c1' && f.status === 'online');
    expect((await send('one')).status).toBe(201);
    const first = await onB.next((f) => f.type === 'message.sent' && f.data?.message?.content === 'one');

    b.child.kill('SIGKILL');
    await new Promise((r) => b.child.once('exit', r));
    for (const content of ['two', 'three', 'four']) expect((await send(content)).status).toBe(201);
    // Nobody said goodbye for the customer: their presence expires with B's last report.
    const offline = await store.next(
      (f) => f.type === 'presence' && f.participant?.id === 'c1' && f.status === 'offline',
    );
    expect(offline.participant).toEqual({ type: 'customer', id: 'c1' });

    const onA = await LiveClient.open(a.base, tokens.customer1, first.id);
    expect((await send('five')).status).toBe(201);
    await onA.next((f) => f.type === 'message.sent' && f.data?.message?.content === 'five');
    const contents = onA.frames.filter((f) => f.type === 'message.sent').map((f) => f.data.message.content);
    expect(contents).toEqual(['two', 'three', 'four', 'five']);
    const ids = onA.frames.filter((f) => f.id !== undefined).map((f) => f.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(onA.frames.some((f) => f.type === 'resync_required')).toBe(false);
    onA.close();
    store.close();
  }, 120_000);
});
