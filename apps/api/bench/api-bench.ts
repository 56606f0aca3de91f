// pnpm bench:api — the API on PostgreSQL under autocannon (send message, list inbox, unread count),
// then pgbench on the same database running the SQL one send issues, and the ratio of the two.
//
// Environment (all optional): BENCH_DATABASE_URL (else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres) — a server where a throwaway database is created and
// dropped; BENCH_DURATION seconds per workload (default 10); BENCH_CONNECTIONS autocannon connections
// (default 20); BENCH_POOL the API's pool size and pgbench's clients (default 10); BENCH_KEEP=1 keeps
// the database and the pgbench scripts afterwards (their names are printed) for profiling by hand;
// BENCH_MEMORY=1 adds the memory phase (the API's RSS and live heap after 10k and after 100k sends;
// minutes; one process only);
// BENCH_RUNTIME=tsx runs the API from its sources (default: the compiled build, as production);
// BENCH_WORKERS=N runs it as N processes (PARLEY_WORKERS), with BENCH_POOL connections in all;
// BENCH_CPU_PROFILE=<dir> writes a CPU profile of the API per workload there (`send-message.cpuprofile`,
// …; summarise with `node apps/api/bench/cpu-profile-summary.mjs <file>`).
// Prints the commit, the machine's load and every goal of the "Performance" issue with met / MISSED.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '@parley/adapters-kysely';
import {
  createDatabase,
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
  migrateToLatest,
} from '@parley/adapters-kysely';
import {
  CachingDirectory,
  CachingSettingsStore,
  createMessagingCore,
  type IdGenerator,
  systemClock,
} from '@parley/messaging-core';
import autocannon from 'autocannon';
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { apiEntry } from './api-entry.js';
import { admin, databaseUrl, SERVER_URL } from './bench-database.js';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const CONVERSATIONS = 20;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const MARKER = 'eeeeeeee-eeee-7eee-8eee-';
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const MEMORY = process.env.BENCH_MEMORY === '1' && WORKERS === 1;
/** How long the API sits idle before its resident set is read again: V8 shrinks an idle heap. */
const SETTLE_MS = 20_000;
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE ? resolve(process.env.BENCH_CPU_PROFILE) : undefined;

/** A SQL literal for a bound parameter, so a captured query can be replayed by pgbench. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text =
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replace(/'/g, "''")}'`;
}

function inline(query: CompiledQuery): string {
  let sql = query.sql;
  for (let i = query.parameters.length; i >= 1; i -= 1) {
    sql = sql.replaceAll(`$${i}`, literal(query.parameters[i - 1]));
  }
  return `${sql.replace(/\s+/g, ' ').trim()};`;
}

async function seed(url: string) {
  const database = createDatabase({ kind: 'postgres', url, poolSize: 4 });
  await migrateToLatest(database);
  const directory = new KyselyMarketplaceDirectory({ db: database.db });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db: database.db }),
    directory,
    settings: new KyselySettingsStore({ db: database.db }),
  });
  const at = new Date();
  await directory.upsertStore({ id: 'bench-store', name: 'Bench Store', tier: 'business' }, at);
  await directory.upsertPlatformUser(
    {
      id: 'bench-staff',
      name: 'Bench Staff',
      email: 'staff@bench.test',
      role: 'store',
      storeId: 'bench-store',
      locale: 'en',
    },
    at,
  );
  const staff = { type: 'store', id: 'bench-staff', tenantId: 'bench-store' };
  const ids: string[] = [];
  for (let i = 1; i <= CONVERSATIONS; i += 1) {
    await directory.upsertCustomer(
      {
        id: `bench-customer-${i}`,
        storeId: 'bench-store',
        name: `Customer ${i}`,
        email: `c${i}@bench.test`,
        locale: 'en',
      },
      at,
    );
    const detail = await core.createConversation(staff, {
      conversationType: 'store_customer',
      subject: `Order ${i}`,
      recipient: { type: 'customer', id: `bench-customer-${i}` },
      initialMessage: 'Welcome!',
    });
    ids.push(detail.conversation.id);
  }
  await database.destroy();
  return { ids, staff };
}

/** The statements one API send runs (token check included), captured from the real adapters. */
async function captureSendSql(url: string, conversationId: string): Promise<string[]> {
  const captured: CompiledQuery[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  let n = 0;
  const markedIds: IdGenerator = {
    next: () => {
      n += 1;
      return `${MARKER}${String(n).padStart(12, '0')}`;
    },
  };
  // As the API composes them: directory entries and settings cached per process.
  const directory = new CachingDirectory(new KyselyMarketplaceDirectory({ db }), { clock: systemClock });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db }),
    directory,
    settings: new CachingSettingsStore(new KyselySettingsStore({ db }), { clock: systemClock }),
    settingsCacheTtlMs: 0,
    ids: markedIds,
  });
  // Exactly what a warm API does per send: the token check resolves the actor and the settings
  // from the process's caches, then load + append.
  await core.settings.number('message_max_length');
  await core.resolveActor({ type: 'store', id: 'bench-staff', tenantId: 'bench-store' });
  captured.length = 0;
  const actor = await core.resolveActor({ type: 'store', id: 'bench-staff', tenantId: 'bench-store' });
  await core.sendMessage(actor, { conversationId, content: 'Your parcel left the warehouse.' });
  await db.destroy();
  return captured
    .map(inline)
    .map((sql) => sql.replace(new RegExp(`'${MARKER}\\d{12}'`, 'g'), 'gen_random_uuid()'));
}

async function startApi(
  url: string,
  dataDir: string,
  entry: ReturnType<typeof apiEntry>,
): Promise<{ child: ChildProcess; base: string }> {
  const profile = CPU_PROFILE ? ['--import', join(APP_DIR, 'bench', 'cpu-profile-hook.mjs')] : [];
  const memory = MEMORY ? ['--expose-gc', '--import', join(APP_DIR, 'bench', 'memory-hook.mjs')] : [];
  const child = spawn(process.execPath, [...profile, ...memory, ...entry.args], {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH,
      ...(CPU_PROFILE ? { BENCH_CPU_PROFILE_DIR: CPU_PROFILE } : {}),
      ...(MEMORY ? { BENCH_MEMORY_DIR: dataDir } : {}),
      NODE_ENV: 'production',
      PARLEY_DATABASE_URL: url,
      // With several processes, the same number of connections in all as pgbench's clients.
      PARLEY_DATABASE_POOL_SIZE: String(Math.ceil(POOL / WORKERS)),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_PORT: '0',
      PARLEY_JWT_SECRET: SECRET,
      PARLEY_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_RATE_LIMIT_MAX: '1000000',
      PARLEY_SEED_DEMO: 'false',
      PARLEY_WORKERS: String(WORKERS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      const match = /Parley API\s+(http:\/\/\S+)/.exec(output);
      const allUp = WORKERS === 1 || /API processes listening/.test(output);
      if (match?.[1] && allUp) {
        clearTimeout(timer);
        resolveBase(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`API exited (${code}):\n${output}`)));
  });
  return { child, base };
}

/**
 * With BENCH_CPU_PROFILE: asks the API for the profile sampled since the last call (the hook writes
 * it on SIGWINCH and starts afresh) and names it after the workload it covers.
 */
async function profilePhase(child: ChildProcess, phase: string): Promise<void> {
  if (!CPU_PROFILE || child.pid === undefined) return;
  const before = new Set(await readdir(CPU_PROFILE));
  child.kill('SIGWINCH');
  for (let waited = 0; waited < 10_000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const fresh = (await readdir(CPU_PROFILE)).find(
      (f) => !before.has(f) && f.startsWith(`api-${child.pid}`),
    );
    if (fresh) {
      await new Promise((r) => setTimeout(r, 200));
      await rename(join(CPU_PROFILE, fresh), join(CPU_PROFILE, `${phase.replace(/\W+/g, '-')}.cpuprofile`));
      return;
    }
  }
  console.log(`no CPU profile came for ${phase}`);
}

interface Measured {
  readonly name: string;
  readonly rps: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU milliseconds per completed request: the API process, every PostgreSQL process, this process. */
  readonly cpu?: { readonly api: number; readonly postgres: number; readonly generator: number };
}

/** Clock ticks of user + system CPU a process has used (Linux `/proc/<pid>/stat`). */
async function cpuTicks(pid: number | string): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** CPU ticks of a process and its children (the supervisor's API processes with PARLEY_WORKERS). */
async function treeTicks(pid: number): Promise<number> {
  let total = await cpuTicks(pid);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) total += await cpuTicks(entry);
  }
  return total;
}

/**
 * CPU ticks of every `postgres` process on this machine (the server's backends and helpers), with
 * the children they have reaped: a backend that ended (pgbench's, at its end) is counted by the
 * postmaster that waited for it.
 */
async function postgresTicks(): Promise<number> {
  let total = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') total += (await cpuTicks(pid)) + (await childTicks(pid));
  }
  return total;
}

/** Clock ticks of the children a process has waited for (here: pgbench, run by `spawnSync`). */
async function childTicks(pid: number | string = 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
}

/** Ticks per millisecond: Linux reports CPU in USER_HZ, 100 per second on every mainstream build. */
const TICKS_PER_MS = 100 / 1000;

async function cannon(name: string, options: autocannon.Options, child?: ChildProcess): Promise<Measured> {
  if (child) await profilePhase(child, `before ${name}`);
  const onLinux = process.platform === 'linux' && child?.pid !== undefined;
  const before = onLinux
    ? [await treeTicks(child?.pid as number), await postgresTicks(), await cpuTicks('self')]
    : [];
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const after = onLinux
    ? [await treeTicks(child?.pid as number), await postgresTicks(), await cpuTicks('self')]
    : [];
  if (child) await profilePhase(child, name);
  const perRequest = (i: number) =>
    ((after[i] as number) - (before[i] as number)) / TICKS_PER_MS / Math.max(1, result.requests.total);
  return {
    name,
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    ...(onLinux ? { cpu: { api: perRequest(0), postgres: perRequest(1), generator: perRequest(2) } } : {}),
  };
}

function pgbench(url: string, scripts: string[]): { tps: number; latencyMs: number; output: string } {
  const run = spawnSync(
    'pgbench',
    [
      '-n',
      '-c',
      String(POOL),
      '-j',
      '2',
      '-T',
      String(DURATION),
      ...scripts.flatMap((s) => ['-f', `${s}@1`]),
      url,
    ],
    { encoding: 'utf8' },
  );
  if (run.error) throw new Error(`pgbench could not run (${run.error.message}); install postgresql-client`);
  const output = `${run.stdout}${run.stderr}`;
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? Number.NaN);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? Number.NaN);
  if (run.status !== 0 || Number.isNaN(tps)) throw new Error(`pgbench failed:\n${output}`);
  return { tps, latencyMs, output };
}

/**
 * Waits until every subscriber's cursor has passed the newest event, so the next workload is not
 * measured against the dispatcher still working off the sends (that work belongs to the send
 * phase; its duration is printed). Null on a schema without an event log.
 */
async function waitForDispatch(url: string): Promise<{ ms: number; backlog: number } | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('event_subscribers') is not null as present`);
    if (!exists.rows[0]?.present) return null;
    const behind = async (): Promise<number> => {
      const { rows } = await client.query(
        `select count(*)::int as n from events e
         where exists (select from event_subscribers s where (e.xid, e.id) > (s.position_xid, s.position_id))
            or not exists (select from event_subscribers)`,
      );
      return rows[0]?.n ?? 0;
    };
    const started = Date.now();
    const backlog = await behind();
    let left = backlog;
    while (left > 0 && Date.now() - started < 120_000) {
      await new Promise((r) => setTimeout(r, 20));
      left = await behind();
    }
    return { ms: Date.now() - started, backlog };
  } finally {
    await client.end();
  }
}

/** The API process's resident set, in MiB (Linux `/proc`). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

interface MemoryReading {
  /** Resident set right after the sends (and the dispatcher) finished, MiB. */
  readonly rss: number;
  /** Resident set after SETTLE_MS idle, MiB. */
  readonly settled: number;
  /** Live JavaScript heap after two full collections (the memory hook), MiB. */
  readonly live: number;
}

/** Reads the API's memory three ways (see `MemoryReading`); `dir` is where the memory hook writes. */
async function readMemory(pid: number, dir: string): Promise<MemoryReading> {
  const rss = await rssMiB(pid);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const settled = await rssMiB(pid);
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGWINCH');
  for (let waited = 0; waited < 20_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    const fresh = (await readdir(dir)).find((f) => !before.has(f) && f.startsWith(`memory-${pid}-`));
    if (fresh) {
      await new Promise((r) => setTimeout(r, 100));
      const usage = JSON.parse(await readFile(join(dir, fresh), 'utf8')) as { heapUsed: number };
      return { rss, settled, live: usage.heapUsed / 1024 / 1024 };
    }
  }
  throw new Error('the memory hook wrote nothing');
}

/** Sends `count` messages as fast as `CONNECTIONS` connections go, round-robin over `ids`. */
async function sendMany(base: string, headers: Record<string, string>, ids: string[], count: number) {
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    amount: count,
    headers,
    requests: [
      {
        method: 'POST',
        body: JSON.stringify({ content: 'Memory phase.' }),
        setupRequest: (request) => {
          next = (next + 1) % ids.length;
          return { ...request, path: `/api/v1/store/messages/${ids[next]}/messages` };
        },
      },
    ],
  });
  return { non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/**
 * The "Engine v2" guarantees after the load: in every conversation the messages' `seq` run
 * 1..n without a gap or a twin and `message_count` is n; every message has exactly one
 * `message.sent` event; every subscriber has passed every event (nothing left undispatched).
 */
async function integrity(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const problems: string[] = [];
    const seq = await client.query(`
      select count(*)::int as bad from (
        select c.id from conversations c left join messages m on m.conversation_id = c.id
        group by c.id, c.message_count
        having count(m.id) <> c.message_count or coalesce(max(m.seq), 0) <> c.message_count
          or count(distinct m.seq) <> count(m.id)) broken`);
    if (seq.rows[0]?.bad > 0)
      problems.push(`${seq.rows[0].bad} conversations with gaps, twins or a wrong count`);
    const events = await client.query(`
      select (select count(*) from messages)::int as messages,
        (select count(*) from events where type = 'message.sent')::int as sent,
        (select count(distinct payload->>'message_id') from events where type = 'message.sent')::int as distinct_sent`);
    const row = events.rows[0] as { messages: number; sent: number; distinct_sent: number };
    // Pruning could remove old events; this run's are all within the retention.
    if (row.sent !== row.messages || row.distinct_sent !== row.sent)
      problems.push(
        `${row.messages} messages but ${row.sent} message.sent events (${row.distinct_sent} distinct)`,
      );
    return problems;
  } finally {
    await client.end();
  }
}

function gitCommit(): string {
  const run = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  return `${run.stdout.trim() || 'unknown'}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`;
}

async function main(): Promise<void> {
  const name = `parley_bench_${Date.now()}_${process.pid}`;
  const url = databaseUrl(name);
  const workDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
  let api: ChildProcess | undefined;
  const entry = apiEntry();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `bench:api — ${new Date().toISOString()}, commit ${gitCommit()}, ${availableParallelism()} cores, load ${load()}`,
  );
  console.log(
    `configuration: database ${name} on ${new URL(SERVER_URL).host}; ${DURATION}s per workload, ${CONNECTIONS} connections, pool ${POOL}; API: ${entry.runtime}, ${WORKERS} process(es) (PARLEY_WORKERS)`,
  );
  await admin(`create database "${name}"`);
  try {
    const { ids } = await seed(url);
    const statements = await captureSendSql(url, ids[0] as string);
    const scripts: string[] = [];
    for (const [i, id] of ids.entries()) {
      const path = join(workDir, `send-${i}.sql`);
      await writeFile(path, `${statements.map((s) => s.replaceAll(ids[0] as string, id)).join('\n')}\n`);
      scripts.push(path);
    }

    if (CPU_PROFILE) await mkdir(CPU_PROFILE, { recursive: true });
    const started = await startApi(url, workDir, entry);
    api = started.child;
    const token = await issueToken(secretKey(SECRET), {
      sub: 'bench-staff',
      role: 'store',
      storeId: 'bench-store',
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let next = 0;
    const results: Measured[] = [];
    results.push(
      await cannon(
        'send message',
        {
          url: started.base,
          headers,
          requests: [
            {
              method: 'POST',
              body: JSON.stringify({ content: 'Your parcel left the warehouse.' }),
              setupRequest: (request) => {
                next = (next + 1) % ids.length;
                return { ...request, path: `/api/v1/store/messages/${ids[next]}/messages` };
              },
            },
          ],
        },
        api,
      ),
    );
    const drain = await waitForDispatch(url);
    console.log(
      drain === null
        ? 'after the send phase: no event log here (nothing to drain)'
        : `after the send phase: the event dispatcher caught up in ${drain.ms} ms (${drain.backlog} events behind when the phase ended)`,
    );
    results.push(
      await cannon('list inbox', { url: `${started.base}/api/v1/store/messages?limit=20`, headers }, api),
    );
    results.push(
      await cannon(
        'unread count',
        { url: `${started.base}/api/v1/store/messages/unread-count`, headers },
        api,
      ),
    );
    results.push(
      await cannon(
        'conversation (50 msgs)',
        {
          url: `${started.base}/api/v1/store/messages/${ids[0]}`,
          headers,
        },
        api,
      ),
    );
    let memory: { at10k: MemoryReading; at100k: MemoryReading; failures: number } | null = null;
    if (process.env.BENCH_MEMORY === '1' && !MEMORY) console.log('memory phase skipped: one process only');
    if (MEMORY) {
      const pid = api.pid as number;
      console.log('memory phase: 10,000 sends, then 90,000 more …');
      const first = await sendMany(started.base, headers, ids, 10_000);
      await waitForDispatch(url);
      const at10k = await readMemory(pid, workDir);
      const rest = await sendMany(started.base, headers, ids, 90_000);
      await waitForDispatch(url);
      const at100k = await readMemory(pid, workDir);
      memory = { at10k, at100k, failures: first.non2xx + first.errors + rest.non2xx + rest.errors };
    }
    api.kill('SIGTERM');
    await new Promise((r) => api?.once('exit', r));
    api = undefined;
    const problems = await integrity(url);

    const pgBefore = await postgresTicks();
    const childBefore = await childTicks();
    const bench = pgbench(url, scripts);
    const transactions = bench.tps * DURATION;
    const benchCpu = {
      postgres: ((await postgresTicks()) - pgBefore) / TICKS_PER_MS / transactions,
      pgbench: ((await childTicks()) - childBefore) / TICKS_PER_MS / transactions,
    };
    const [send, inbox, badge, detail] = results as [Measured, Measured, Measured, Measured];
    const ratio = send.rps / bench.tps;
    const mark = (met: boolean) => (met ? 'met' : 'MISSED');
    console.log('');
    console.log(
      'workload                     req/s      p99 ms   non-2xx  errors   CPU ms per request: API / PostgreSQL / load generator',
    );
    const ms = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2));
    for (const r of results) {
      console.log(
        `${r.name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} ${r.p99.toFixed(1).padStart(11)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)}   ${ms(r.cpu?.api)} / ${ms(r.cpu?.postgres)} / ${ms(r.cpu?.generator)}`,
      );
    }
    console.log(
      `pgbench, one send's SQL     ${bench.tps.toFixed(0).padStart(7)} tps (${statements.length} statements, latency avg ${bench.latencyMs} ms, ${POOL} clients)   CPU ms per transaction: PostgreSQL ${benchCpu.postgres.toFixed(2)}, pgbench ${benchCpu.pgbench.toFixed(2)}`,
    );
    console.log('');
    console.log('goals ("Performance" issue):');
    console.log(
      `  send: API sends/s ÷ pgbench tps = ${ratio.toFixed(2)} (≥ 0.8: ${mark(ratio >= 0.8)}), p99 ${send.p99} ms (≤ 25: ${mark(send.p99 <= 25)})`,
    );
    console.log(
      `  inbox first page: ${inbox.rps.toFixed(0)}/s (≥ 1,500: ${mark(inbox.rps >= 1500)}), p99 ${inbox.p99} ms (≤ 25: ${mark(inbox.p99 <= 25)})`,
    );
    console.log(
      `  badge: ${badge.rps.toFixed(0)}/s (≥ 3,000: ${mark(badge.rps >= 3000)}), p99 ${badge.p99} ms (≤ 10: ${mark(badge.p99 <= 10)})`,
    );
    console.log(`  conversation detail: ${detail.rps.toFixed(0)}/s (≥ 1,000: ${mark(detail.rps >= 1000)})`);
    if (memory !== null) {
      const { at10k, at100k } = memory;
      const growth = at100k.settled / at10k.settled;
      console.log(
        `  memory: RSS after 10k sends ${at10k.rss.toFixed(0)} MiB, ${at10k.settled.toFixed(0)} MiB after ${SETTLE_MS / 1000} s idle, live heap ${at10k.live.toFixed(1)} MiB; after 100k ${at100k.rss.toFixed(0)} MiB, ${at100k.settled.toFixed(0)} MiB idle, live heap ${at100k.live.toFixed(1)} MiB`,
      );
      console.log(
        `    settled RSS ${growth.toFixed(2)}× (≤ 1.2×: ${mark(growth <= 1.2)}), live heap ${(at100k.live / at10k.live).toFixed(2)}×, ${memory.failures} failed sends`,
      );
    } else {
      console.log('  memory: not measured (BENCH_MEMORY=1)');
    }
    console.log(
      `  ordering and exactly-once after the load: ${problems.length === 0 ? 'held' : `BROKEN — ${problems.join('; ')}`}`,
    );
    console.log(`load at the end: ${load()}`);
    console.log('\nThe SQL of one send, as pgbench replays it:');
    for (const statement of statements)
      console.log(`  ${statement.length > 160 ? `${statement.slice(0, 157)}...` : statement}`);
    if (results.some((r) => r.non2xx > 0 || r.errors > 0) || problems.length > 0) process.exitCode = 1;
  } finally {
    api?.kill('SIGKILL');
    if (process.env.BENCH_KEEP === '1') {
      console.log(`\nkept (BENCH_KEEP=1): database ${url}, pgbench scripts in ${workDir}`);
    } else {
      await rm(workDir, { recursive: true, force: true });
      await admin(`drop database if exists "${name}" with (force)`);
    }
  }
}

await main();
