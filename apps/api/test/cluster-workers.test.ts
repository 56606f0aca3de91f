import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedFixture, tokensFor } from './support/client.js';

// PARLEY_WORKERS=2 (issue 17): a supervisor and two API processes sharing one port, on PostgreSQL.
// Real processes, so the kills are real.
const url = process.env.DATABASE_URL;
if (!url) console.info('[parley] PARLEY_WORKERS test skipped: it needs PostgreSQL (set DATABASE_URL)');

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'cluster-secret-cluster-secret-cluster-0123';

const admin = async (statement: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
};

/** The live Node.js children of a process (Linux `/proc`): the supervisor's API processes, not tsx's esbuild. */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const node = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'node';
    if (Number(fields[1]) === pid && fields[0] !== 'Z' && node) found.push(Number(entry));
  }
  return found.sort((a, b) => a - b);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request on a connection of its own, so the cluster hands each to the next process. */
function freshRequest(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((ok, fail) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += String(chunk);
        });
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }),
        );
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

describe.runIf(url !== undefined)('PARLEY_WORKERS=2 (postgres)', () => {
  const schema = `t_cluster_${Math.random().toString(36).slice(2, 10)}`;
  let dir: string;
  let supervisor: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-cluster-'));
    await admin(`create schema ${schema}`);
  });
  afterAll(async () => {
    if (supervisor?.pid !== undefined && supervisor.exitCode === null) {
      for (const pid of await childrenOf(supervisor.pid)) process.kill(pid, 'SIGKILL');
      supervisor.kill('SIGKILL');
    }
    await admin(`drop schema if exists ${schema} cascade`);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves from two processes on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    supervisor = spawn(process.execPath, ['--import', 'tsx', '--conditions=@parley/source', 'src/main.ts'], {
      cwd: APP_DIR,
      env: {
        PATH: process.env.PATH,
        PARLEY_WORKERS: '2',
        PARLEY_DATABASE_URL: url ?? '',
        PARLEY_DATABASE_SCHEMA: schema,
        PARLEY_DATABASE_POOL_SIZE: '3',
        PARLEY_JWT_SECRET: SECRET,
        PARLEY_DATA_DIR: dir,
        PARLEY_PORT: '0',
        PARLEY_HOST: '127.0.0.1',
        PARLEY_LOG_LEVEL: 'warn',
        PARLEY_SEED_DEMO: 'false',
        PARLEY_RATE_LIMIT_MAX: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const read = (chunk: Buffer) => {
      output += String(chunk);
    };
    supervisor.stdout?.on('data', read);
    supervisor.stderr?.on('data', read);
    const pid = supervisor.pid as number;
    const base = await until(
      async () =>
        /API processes listening/.test(output) ? /Parley API\s+(http:\/\/\S+)/.exec(output)?.[1] : undefined,
      `two processes listening; output:\n${output}`,
      90_000,
    );
    expect(output).toContain('Processes         2 sharing the port (PARLEY_WORKERS)');
    const first = await childrenOf(pid);
    expect(first).toHaveLength(2);

    const tokens = await tokensFor(SECRET);
    const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
      const response = await freshRequest(base, method, path, options.token ?? '', options.body);
      return { ...response, text: JSON.stringify(response.body ?? ''), headers: {} };
    };
    // biome-ignore lint/suspicious/noExplicitAny: the fixture helper's response shape
    await seedFixture(call as any, tokens.service);
    const created = await freshRequest(base, 'POST', '/api/v1/store/messages', tokens.store1, {
      conversation_type: 'store_customer',
      subject: 'Two processes',
      recipient_type: 'customer',
      recipient_id: 'c1',
    });
    expect(created.status).toBe(201);
    const conversationId = (created.body as { id: string }).id;

    // A live client on one process; sends on fresh connections land on both: every frame arrives.
    const socket = new WebSocket(new URL('/api/v1/realtime', base.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${tokens.customer1}` },
    });
    const contents: string[] = [];
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; data?: { message?: { content?: string } } };
      if (frame.type === 'message.sent' && frame.data?.message?.content)
        contents.push(frame.data.message.content);
    });
    await new Promise<void>((ok, fail) => {
      socket.once('open', () => ok());
      socket.once('error', fail);
    });
    const sent = ['one', 'two', 'three', 'four', 'five', 'six'];
    for (const content of sent) {
      const response = await freshRequest(
        base,
        'POST',
        `/api/v1/store/messages/${conversationId}/messages`,
        tokens.store1,
        { content },
      );
      expect(response.status).toBe(201);
    }
    await until(
      async () => (contents.length >= sent.length ? true : undefined),
      `six frames (got ${contents})`,
    );
    expect(contents).toEqual(sent);
    socket.close();

    // A process killed outright is replaced; the port keeps answering meanwhile.
    const victim = first[1] as number;
    process.kill(victim, 'SIGKILL');
    const replaced = await until(async () => {
      const now = await childrenOf(pid);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    }, 'a replacement process');
    expect(replaced).toContain(first[0]);
    expect(output).toMatch(
      /Parley API process 2 of 2 \(pid \d+\) exited \(SIGKILL\); starting a replacement/,
    );
    for (let i = 0; i < 4; i += 1) {
      const inbox = await freshRequest(base, 'GET', '/api/v1/store/messages?limit=5', tokens.store1);
      expect(inbox.status).toBe(200);
    }

    // SIGTERM to the supervisor: every process finishes and exits, then the supervisor (code 0).
    const exited = new Promise<number | null>((ok) => supervisor?.once('exit', (code) => ok(code)));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await childrenOf(pid)).toEqual([]);
    for (const child of replaced)
      expect(await readFile(`/proc/${child}/stat`, 'utf8').catch(() => 'gone')).toBe('gone');
  }, 180_000);
});
