// pnpm bench:realtime — live delivery across two API instances on one PostgreSQL (issue 12's goals):
//
// 1. Two API processes (community preset) on a throwaway database; CLIENTS WebSocket clients on
//    each. Clients come in pairs sharing a direct conversation, one on each instance, so every
//    message crosses instances.
// 2. Senders post RATE messages/s for DURATION s (HTTP, through the sender's own instance). Each
//    frame received is timed against the send: latency from the request's start and from the
//    response ("send accepted").
// 3. Meanwhile DISCONNECTS clients are cut abruptly and reconnect with `since=<last event id>`,
//    and at half time one instance is killed with SIGKILL: its clients move to the other.
// 4. Afterwards every client's received messages are checked against the database: none missing,
//    none out of order per conversation (duplicates are dropped by id, as clients do, and counted).
// 5. IDLE idle connections on one fresh instance: its resident memory before and after.
//
// Environment (all optional): BENCH_DATABASE_URL (else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres); BENCH_CLIENTS per instance (2000); BENCH_RATE
// messages/s (200); BENCH_DURATION s (60); BENCH_DISCONNECTS (1000); BENCH_IDLE (10000);
// BENCH_REDIS=redis://… to cross instances through Redis instead of PostgreSQL; BENCH_KILL=0 to keep
// both instances alive; BENCH_SETTLE s (120) that frames may take after the last send before a
// missing one counts as lost; BENCH_API_PARLEY_<NAME>=<value> sets PARLEY_<NAME> in the API processes;
// BENCH_CPU_PROFILE=<dir> writes a CPU profile of each API process there
// (`api-<pid>.cpuprofile`, taken just before the instances stop; summarise with
// `node apps/api/bench/cpu-profile-summary.mjs <file>`).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDatabase,
  KyselyMessagingStore,
  KyselyPeopleDirectory,
  KyselySettingsStore,
  migrateToLatest,
} from '@parley/adapters-kysely';
import { communityPolicy, createMessagingCore } from '@parley/messaging-core';
import pg from 'pg';
import WebSocket from 'ws';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { apiEntry } from './api-entry.js';
import { admin, databaseUrl, SERVER_URL } from './bench-database.js';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const DURATION = Number(process.env.BENCH_DURATION ?? 60);
const DISCONNECTS = Number(process.env.BENCH_DISCONNECTS ?? 1000);
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const REDIS = process.env.BENCH_REDIS;
const KILL = process.env.BENCH_KILL !== '0';
/** How long after the last send the frames may take to arrive before a missing one counts as lost. */
const SETTLE_S = Number(process.env.BENCH_SETTLE ?? 120);
/** `BENCH_API_PARLEY_X=v` sets `PARLEY_X=v` in the API processes (e.g. BENCH_API_PARLEY_NOTIFICATIONS_WORKER=off). */
const API_ENV = Object.fromEntries(
  Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_API_PARLEY_'))
    .map(([k, v]) => [k.slice('BENCH_API_'.length), v ?? '']),
);
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE ? resolve(process.env.BENCH_CPU_PROFILE) : undefined;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const TENANT = 'bench-school';
const GOALS = { p50Ms: 50, p99Ms: 250, idleMemoryMiB: 1024 };
/** Sends waiting for their answer at most: past it the senders wait, and the achieved rate drops (printed). */
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 400);

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const studentId = (n: number) => `s${n}`;

/** 2 × pairs students and one direct conversation per pair (s0–s1, s2–s3, …). */
async function seed(url: string, pairs: number): Promise<string[]> {
  const database = createDatabase({ kind: 'postgres', url, poolSize: 8 });
  await migrateToLatest(database);
  const people = new KyselyPeopleDirectory({ db: database.db });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db: database.db }),
    directory: people,
    settings: new KyselySettingsStore({ db: database.db }),
    policy: communityPolicy,
  });
  const at = new Date();
  await people.upsertTenant({ id: TENANT, name: 'Bench School' }, at);
  const ids: string[] = new Array(pairs);
  const batch = 50;
  for (let start = 0; start < pairs; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, pairs - start) }, async (_, k) => {
        const pair = start + k;
        for (const n of [2 * pair, 2 * pair + 1]) {
          await people.upsertPerson(
            {
              type: 'student',
              id: studentId(n),
              name: `Student ${n}`,
              email: null,
              locale: 'en',
              tenantId: TENANT,
            },
            at,
          );
        }
        const detail = await core.createConversation(
          { type: 'student', id: studentId(2 * pair), tenantId: TENANT },
          {
            conversationType: 'direct',
            subject: `Pair ${pair}`,
            recipient: { type: 'student', id: studentId(2 * pair + 1) },
          },
        );
        ids[pair] = detail.conversation.id;
      }),
    );
    if ((start / batch) % 10 === 0) log(`seed: ${Math.min(start + batch, pairs)}/${pairs} conversations`);
  }
  await database.destroy();
  return ids;
}

interface Instance {
  readonly name: string;
  readonly child: ChildProcess;
  readonly base: string;
  alive: boolean;
}

const entry = apiEntry(log);

async function startApi(name: string, url: string, dataDir: string): Promise<Instance> {
  // node itself (not the tsx wrapper), so the pid is the server's and its memory is the server's.
  const profile = CPU_PROFILE ? ['--import', join(APP_DIR, 'bench', 'cpu-profile-hook.mjs')] : [];
  const args = [...profile, ...entry.args];
  const child = spawn(process.execPath, args, {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH,
      ...(CPU_PROFILE ? { BENCH_CPU_PROFILE_DIR: CPU_PROFILE } : {}),
      NODE_ENV: 'production',
      PARLEY_PRESET: 'community',
      PARLEY_DATABASE_URL: url,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_PORT: '0',
      PARLEY_JWT_SECRET: SECRET,
      PARLEY_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_RATE_LIMIT_MAX: '1000000',
      PARLEY_SEED_DEMO: 'false',
      ...(REDIS ? { PARLEY_REDIS_URL: REDIS } : {}),
      ...API_ENV,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`API ${name} did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      const match = /Parley API\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveBase(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`API ${name} exited (${code}):\n${output}`)));
  });
  const instance: Instance = { name, child, base, alive: true };
  child.once('exit', () => {
    instance.alive = false;
  });
  return instance;
}

async function stopApi(instance: Instance): Promise<void> {
  if (!instance.alive) return;
  const exited = new Promise((r) => instance.child.once('exit', r));
  instance.child.kill('SIGTERM');
  await exited;
}

/** Resident memory of a process in MiB (Linux). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** When each bench message was sent (request start) and accepted (response), by its content tag. */
const sent = new Map<string, { start: number; accepted: number | null }>();
const latencyFromRequest: number[] = [];
const latencyFromAccepted: number[] = [];
const frameErrors = new Map<string, number>();
/** Why connections ended (close codes seen by clients) and why reconnects failed. */
const closeCodes = new Map<string, number>();
const connectFailures = new Map<string, number>();
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

class Client {
  readonly token: Promise<string>;
  socket: WebSocket | null = null;
  instance: Instance | null = null;
  lastEventId: string | null = null;
  readonly seen = new Set<string>();
  /** Message seqs of the conversation, in the order received (duplicates dropped by event id). */
  readonly seqs: number[] = [];
  /** Seqs a client told `resync_required` read back over HTTP, as a real client reloads. */
  readonly recovered = new Set<number>();
  resynced = false;
  duplicates = 0;
  resyncs = 0;
  connects = 0;
  closedByServer = 0;

  constructor(
    readonly n: number,
    readonly conversationId: string,
  ) {
    this.token = issueToken(secretKey(SECRET), {
      sub: studentId(n),
      role: 'student',
      tenantId: TENANT,
      expiresInSeconds: 3600,
    });
  }

  /** What a client does on `resync_required`: reads the conversation's messages over HTTP. */
  async recover(): Promise<void> {
    const instance = this.instance;
    if (instance === null) return;
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '100', ...(cursor === null ? {} : { cursor }) });
      const response = await fetch(
        `${instance.base}/api/v1/conversations/${this.conversationId}/messages?${query}`,
        { headers: { authorization: `Bearer ${await this.token}` } },
      );
      if (!response.ok) return;
      const page = (await response.json()) as { messages: { seq: number }[]; next_cursor: string | null };
      for (const message of page.messages) this.recovered.add(message.seq);
      cursor = page.next_cursor;
    } while (cursor !== null);
  }

  async connect(instance: Instance): Promise<void> {
    this.instance = instance;
    const url = new URL('/api/v1/realtime', instance.base.replace(/^http/, 'ws'));
    if (this.lastEventId !== null) url.searchParams.set('since', this.lastEventId);
    // Reconnecting with no event received yet leaves nothing to resume from: like @parley/client
    // (its `resync` event, reason `no_position`), the client reloads over HTTP.
    else if (this.connects > 0) this.resynced = true;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${await this.token}` } });
    this.socket = socket;
    this.connects += 1;
    socket.on('message', (raw) => this.receive(String(raw)));
    socket.on('close', (code) => {
      if (this.socket === socket) count(closeCodes, String(code));
    });
    await new Promise<void>((resolveOpen, reject) => {
      socket.once('open', () => resolveOpen());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    socket.on('error', () => {});
  }

  receive(text: string): void {
    const now = performance.now();
    const frame = JSON.parse(text) as {
      id?: string;
      type: string;
      conversation_id?: string;
      code?: string;
      data?: { message?: { seq?: number; content?: string } };
    };
    if (frame.type === 'resync_required') {
      this.resyncs += 1;
      this.resynced = true;
      return;
    }
    if (frame.type === 'error') {
      frameErrors.set(frame.code ?? '?', (frameErrors.get(frame.code ?? '?') ?? 0) + 1);
      return;
    }
    if (frame.id === undefined) return;
    this.lastEventId = frame.id;
    if (this.seen.has(frame.id)) {
      this.duplicates += 1;
      return;
    }
    this.seen.add(frame.id);
    if (frame.type !== 'message.sent' || frame.conversation_id !== this.conversationId) return;
    const message = frame.data?.message;
    if (message?.seq !== undefined) this.seqs.push(message.seq);
    const tag = message?.content;
    const timing = tag === undefined ? undefined : sent.get(tag);
    if (timing) {
      latencyFromRequest.push(now - timing.start);
      latencyFromAccepted.push(Math.max(0, now - (timing.accepted ?? now)));
    }
  }

  /** An abrupt end (no close handshake), as a phone losing its network. */
  cut(): void {
    this.socket?.terminate();
    this.socket = null;
  }
}

async function main(): Promise<void> {
  const name = `parley_rtbench_${Date.now()}_${process.pid}`;
  const url = databaseUrl(name);
  const workDir = await mkdtemp(join(tmpdir(), 'parley-rtbench-'));
  const instances: Instance[] = [];
  log(
    `bench:realtime — database ${name} on ${new URL(SERVER_URL).host}; 2 instances × ${CLIENTS} clients; ` +
      `${RATE} messages/s for ${DURATION} s; ${DISCONNECTS} forced disconnects${KILL ? ' + SIGKILL of one instance at half time' : ''}; ` +
      `${IDLE} idle connections; cross-instance signals via ${REDIS ? `Redis (${REDIS})` : 'PostgreSQL NOTIFY'}`,
  );
  await admin(`create database "${name}"`);
  try {
    const pairs = CLIENTS;
    const conversations = await seed(url, pairs);
    const a = await startApi('A', url, join(workDir, 'a'));
    instances.push(a);
    const b = await startApi('B', url, join(workDir, 'b'));
    instances.push(b);
    log(`instances: A ${a.base} (pid ${a.child.pid}), B ${b.base} (pid ${b.child.pid})`);

    const clients: Client[] = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      clients.push(new Client(2 * pair, conversations[pair] as string));
      clients.push(new Client(2 * pair + 1, conversations[pair] as string));
    }
    const connectStarted = performance.now();
    for (let i = 0; i < clients.length; i += 100) {
      await Promise.all(clients.slice(i, i + 100).map((c) => c.connect(c.n % 2 === 0 ? a : b)));
    }
    log(
      `connected ${clients.length} clients in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`,
    );

    let running = true;
    const alive = (preferred: Instance): Instance => (preferred.alive ? preferred : a.alive ? a : b);
    const reconnect = async (client: Client): Promise<void> => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const target = alive(client.n % 2 === 0 ? a : b);
        try {
          await client.connect(target);
          return;
        } catch (error) {
          count(connectFailures, (error as Error).message.slice(0, 80));
          await new Promise((r) => setTimeout(r, 100 + attempt * 100));
        }
      }
      log(`client ${client.n} could not reconnect: ${JSON.stringify(Object.fromEntries(connectFailures))}`);
      return;
    };
    for (const client of clients) {
      const watch = () => {
        client.socket?.once('close', () => {
          if (!running) return;
          client.closedByServer += 1;
          setTimeout(() => void reconnect(client).then(watch), 50 + Math.random() * 200);
        });
      };
      watch();
    }

    let sentCount = 0;
    let failedSends = 0;
    let inFlight = 0;
    const sendOne = async (): Promise<void> => {
      const pair = Math.floor(Math.random() * pairs);
      const sender = clients[2 * pair + (Math.random() < 0.5 ? 0 : 1)] as Client;
      const tag = `bench ${sentCount}`;
      sentCount += 1;
      const timing = { start: performance.now(), accepted: null as number | null };
      sent.set(tag, timing);
      inFlight += 1;
      try {
        const target = alive(sender.n % 2 === 0 ? a : b);
        const response = await fetch(
          `${target.base}/api/v1/conversations/${sender.conversationId}/messages`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${await sender.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ content: tag }),
            signal: AbortSignal.timeout(30_000),
          },
        );
        await response.arrayBuffer();
        if (response.status === 201) timing.accepted = performance.now();
        else failedSends += 1;
      } catch {
        failedSends += 1;
      } finally {
        inFlight -= 1;
      }
    };

    const runStarted = performance.now();
    const totalMessages = RATE * DURATION;
    const disconnectEvery = (DURATION * 1000) / Math.max(1, DISCONNECTS);
    let disconnects = 0;
    let killed = false;
    const progress = setInterval(() => {
      const seconds = (performance.now() - runStarted) / 1000;
      const sortedNow = [...latencyFromAccepted].sort((x, y) => x - y);
      log(
        `t=${seconds.toFixed(0)}s sent ${sentCount}/${totalMessages} (failed ${failedSends}, in flight ${inFlight}), ` +
          `frames timed ${latencyFromAccepted.length}, p50 ${percentile(sortedNow, 50).toFixed(1)} ms, ` +
          `p99 ${percentile(sortedNow, 99).toFixed(1)} ms, forced disconnects ${disconnects}, ` +
          `closes ${JSON.stringify(Object.fromEntries(closeCodes))}, connect failures ${JSON.stringify(Object.fromEntries(connectFailures))}`,
      );
    }, 5000);
    const sending = (async () => {
      // A server that cannot keep up does not hold the run hostage: sending stops at twice the duration.
      while (sentCount < totalMessages && performance.now() - runStarted < DURATION * 2000) {
        const due = Math.floor(((performance.now() - runStarted) / 1000) * RATE);
        while (sentCount < Math.min(due, totalMessages) && inFlight < MAX_IN_FLIGHT) void sendOne();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const cutting = (async () => {
      while (disconnects < DISCONNECTS && performance.now() - runStarted < DURATION * 1000) {
        await new Promise((r) => setTimeout(r, disconnectEvery));
        const client = clients[Math.floor(Math.random() * clients.length)] as Client;
        if (client.socket === null) continue;
        client.cut();
        disconnects += 1;
        if (KILL && !killed && performance.now() - runStarted >= (DURATION * 1000) / 2) {
          killed = true;
          log(`SIGKILL instance B (pid ${b.child.pid}); its clients reconnect to A with since`);
          b.child.kill('SIGKILL');
        }
      }
    })();
    await Promise.all([sending, cutting]);
    const sendSeconds = (performance.now() - runStarted) / 1000;
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    // Let the last frames and the reconnects' replays arrive: until every client holds every
    // message of its conversation (a late frame is latency, not loss) or SETTLE_S have passed.
    const settleStarted = performance.now();
    const open = () => clients.every((c) => c.socket !== null && c.socket.readyState === WebSocket.OPEN);
    while (!open() && performance.now() - settleStarted < 30_000)
      await new Promise((r) => setTimeout(r, 100));
    clearInterval(progress);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ conversation_id: string; seqs: number[] }>(
      `select conversation_id, array_agg(seq order by seq) as seqs from messages
       where content like 'bench %' group by conversation_id`,
    );
    await client.end();
    const expected = new Map(rows.map((r) => [r.conversation_id, r.seqs]));
    /** The seqs of its conversation a client has neither received nor reloaded. */
    const missingOf = (c: Client): number[] => {
      const got = new Set(c.seqs);
      return (expected.get(c.conversationId) ?? []).filter((seq) => !got.has(seq) && !c.recovered.has(seq));
    };
    const stillMissing = () => clients.reduce((n, c) => n + missingOf(c).length, 0);
    for (const c of clients) if (c.resynced) await c.recover();
    let lastLog = performance.now();
    while (stillMissing() > 0 && performance.now() - settleStarted < SETTLE_S * 1000) {
      await new Promise((r) => setTimeout(r, 250));
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`settling: ${stillMissing()} frames still to arrive`);
      }
      for (const c of clients) if (c.resynced && c.recovered.size === 0) await c.recover();
    }
    const settleSeconds = (performance.now() - settleStarted) / 1000;
    // Who still misses frames, and how: a lost frame must be explainable from here.
    const short = clients.filter((c) => missingOf(c).length > 0);
    if (short.length > 0) {
      const tally = (key: (c: Client) => string) => {
        const m = new Map<string, number>();
        for (const c of short) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
        return JSON.stringify(Object.fromEntries(m));
      };
      const gaps = short
        .slice(0, 5)
        .map(
          (c) =>
            `client ${c.n} on ${c.instance?.name}: has ${c.seqs.length}/${expected.get(c.conversationId)?.length ?? 0}, missing seqs ${missingOf(c).join(',')}, connects ${c.connects}, last event ${c.lastEventId}`,
        );
      log(
        `${short.length} clients miss frames; socket states ${tally((c) => String(c.socket?.readyState))}, instances ${tally((c) => c.instance?.name ?? '?')}, resynced ${tally((c) => String(c.resynced))}`,
      );
      for (const line of gaps) log(`  ${line}`);
    }
    const recoveredClients = clients.filter((c) => c.resynced).length;

    // Check every client against the database.
    let missing = 0;
    let outOfOrder = 0;
    let duplicates = 0;
    let resyncs = 0;
    for (const c of clients) {
      duplicates += c.duplicates;
      resyncs += c.resyncs;
      missing += missingOf(c).length;
      for (let i = 1; i < c.seqs.length; i += 1)
        if ((c.seqs[i] as number) < (c.seqs[i - 1] as number)) outOfOrder += 1;
    }
    const delivered = [...expected.values()].reduce((n, s) => n + s.length, 0) * 2;
    const byRequest = [...latencyFromRequest].sort((x, y) => x - y);
    const byAccepted = [...latencyFromAccepted].sort((x, y) => x - y);
    const reconnects = clients.reduce((n, c) => n + c.connects - 1, 0);
    running = false;
    if (CPU_PROFILE) {
      for (const instance of instances) if (instance.alive) instance.child.kill('SIGWINCH');
      await new Promise((r) => setTimeout(r, 3000));
      log(`CPU profiles written to ${CPU_PROFILE}`);
    }
    for (const c of clients) c.socket?.close();
    await Promise.all(instances.map(stopApi));

    // Idle connections on one fresh instance.
    const idle = await startApi('idle', url, join(workDir, 'idle'));
    instances.push(idle);
    await new Promise((r) => setTimeout(r, 2000));
    const idleBefore = await rssMiB(idle.child.pid as number);
    const idleClients: Client[] = [];
    for (let i = 0; i < IDLE; i += 1) {
      const pair = i % pairs;
      idleClients.push(new Client(2 * pair + (Math.floor(i / pairs) % 2), conversations[pair] as string));
    }
    const idleStarted = performance.now();
    for (let i = 0; i < idleClients.length; i += 200) {
      await Promise.all(idleClients.slice(i, i + 200).map((c) => c.connect(idle)));
      if (i % 2000 === 0) log(`idle: ${i + 200}/${IDLE} connected`);
    }
    const idleConnectS = (performance.now() - idleStarted) / 1000;
    await new Promise((r) => setTimeout(r, 10_000));
    const idleAfter = await rssMiB(idle.child.pid as number);
    const openIdle = idleClients.filter((c) => c.socket?.readyState === WebSocket.OPEN).length;
    for (const c of idleClients) c.socket?.terminate();
    await stopApi(idle);

    const ok = (met: boolean) => (met ? 'met' : 'MISSED');
    console.log('\n== bench:realtime results ==');
    console.log(
      `configuration: 2 instances (community preset) on PostgreSQL ${new URL(SERVER_URL).host}, ` +
        `${CLIENTS} clients each, ${RATE} messages/s for ${DURATION} s, signals via ${REDIS ? 'Redis' : 'PostgreSQL NOTIFY'}, ` +
        `API: ${entry.runtime}, ` +
        `host: ${(await readFile('/proc/cpuinfo', 'utf8')).match(/^processor/gm)?.length ?? '?'} cores`,
    );
    console.log(
      `messages: sent ${sentCount} in ${sendSeconds.toFixed(1)} s (${(sentCount / sendSeconds).toFixed(0)}/s achieved of ${RATE}/s asked; ` +
        `at most ${MAX_IN_FLIGHT} sends in flight), failed sends ${failedSends}` +
        `${KILL ? ' (those in flight to the killed instance)' : ''}, frames expected ${delivered}`,
    );
    console.log(
      `latency send accepted → frame: p50 ${percentile(byAccepted, 50).toFixed(1)} ms (goal ≤ ${GOALS.p50Ms}: ${ok(percentile(byAccepted, 50) <= GOALS.p50Ms)}), ` +
        `p99 ${percentile(byAccepted, 99).toFixed(1)} ms (goal ≤ ${GOALS.p99Ms}: ${ok(percentile(byAccepted, 99) <= GOALS.p99Ms)}), ` +
        `max ${byAccepted.at(-1)?.toFixed(1)} ms, ${byAccepted.length} frames timed`,
    );
    console.log(
      `latency request start → frame: p50 ${percentile(byRequest, 50).toFixed(1)} ms, p99 ${percentile(byRequest, 99).toFixed(1)} ms`,
    );
    console.log(
      `resilience: ${disconnects} forced disconnects${KILL ? ' + 1 SIGKILL' : ''}, ${reconnects} reconnects, ` +
        `missed ${missing} (goal 0: ${ok(missing === 0)}), out of order ${outOfOrder} (goal 0: ${ok(outOfOrder === 0)}), ` +
        `duplicates dropped by id ${duplicates}, resync_required ${resyncs}, ${recoveredClients} clients reloaded over HTTP (after resync_required, or reconnected before any frame: no position), error frames ${JSON.stringify(Object.fromEntries(frameErrors))}`,
    );
    console.log(
      missing === 0
        ? `settling: every frame had arrived ${settleSeconds.toFixed(1)} s after the last send`
        : `settling: ${missing} frames still missing ${SETTLE_S} s after the last send`,
    );
    console.log(
      `idle: ${openIdle}/${IDLE} connections open on one instance (connected in ${idleConnectS.toFixed(1)} s); ` +
        `resident memory ${idleBefore.toFixed(0)} MiB before, ${idleAfter.toFixed(0)} MiB after ` +
        `(goal ≤ ${GOALS.idleMemoryMiB} MiB: ${ok(idleAfter <= GOALS.idleMemoryMiB)})`,
    );
  } finally {
    for (const instance of instances) {
      if (instance.alive) instance.child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 500));
    await admin(`drop database if exists "${name}" with (force)`).catch((error: Error) =>
      console.error(`could not drop ${name}: ${error.message}`),
    );
    await rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
