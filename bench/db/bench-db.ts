/**
 * `pnpm bench:db`: seeds a realistic Parley data set in PostgreSQL with server-side bulk SQL, then
 * measures the latency of the inbox, badge, conversation detail and send paths through the Kysely
 * adapter (and through the core's use cases), at one tenth of the size and at full size.
 * See docs/benchmarks.md. `pnpm bench:db --help` lists the flags.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDatabase, migrateToLatest, type ParleyDatabase } from '@parley/adapters-kysely';
import { sql } from 'kysely';
import pg from 'pg';
import { captureStatements, compactSql, type ExplainedStatement, explainStatements } from './explain.js';
import {
  type Layer,
  OPERATIONS,
  type Operation,
  type OperationKey,
  operationsFor,
  selectWorkload,
  type Workload,
} from './operations.js';
import {
  type DatasetSizes,
  SEED_VERSION,
  type SeedReport,
  SUPPORT_SQL,
  seedDataset,
  validateSizes,
  verifyDataset,
} from './seed.js';
import { type LatencyStats, measureInterleaved, ms } from './stats.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DATABASE = 'parley_bench';
const PAGE_SIZE = 20;
/** p99 targets on this 2-core machine (see the issue). */
const TARGET_P99_MS = 5;
const TARGET_GROWTH = 1.3;
const TARGETED: readonly OperationKey[] = ['inbox_first', 'inbox_deep', 'unread_badge'];
/** Search (issue 14): p95 of a two-word query of the busy store user, at full size and growth. */
const SEARCH_TARGET_P95_MS = 50;

const HELP = `pnpm bench:db [flags]

Seeds database ${BENCH_DATABASE} (on DATABASE_URL's server, default ${DEFAULT_ADMIN_URL}) and
measures p50/p99 latency at one tenth of the sizes, then at full size.

  --stores N            stores (default 100)
  --customers N         customers (default 20000)
  --conversations N     conversations (default 100000)
  --messages N          messages (default 1000000)
  --iterations N        measured iterations per read operation (default 500)
  --send-iterations N   measured iterations per send operation (default 300)
  --warmup N            unmeasured iterations before each operation (default 50)
  --deep-page N         inbox page the deep-page operation reads (default 50)
  --scale-only S        small | full: measure one scale only
  --reuse               keep the database; reseed a scale only when its sizes or the seed changed
  --skip-core           measure the adapter only, not the core's use cases
  --explain WHEN        misses (default) | all | none: print EXPLAIN (ANALYZE, BUFFERS) plans
  --database NAME       the database to (re)create and seed (default ${BENCH_DATABASE})
  --help`;

interface Options {
  readonly sizes: DatasetSizes;
  readonly iterations: number;
  readonly sendIterations: number;
  readonly warmup: number;
  readonly deepPage: number;
  readonly scaleOnly: 'small' | 'full' | null;
  readonly reuse: boolean;
  readonly core: boolean;
  readonly explain: 'misses' | 'all' | 'none';
  readonly database: string;
}

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min)
    throw new Error(`--${name} must be an integer >= ${min}`);
  return parsed;
}

function parseOptions(argv: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      stores: { type: 'string' },
      customers: { type: 'string' },
      conversations: { type: 'string' },
      messages: { type: 'string' },
      iterations: { type: 'string' },
      'send-iterations': { type: 'string' },
      warmup: { type: 'string' },
      'deep-page': { type: 'string' },
      'scale-only': { type: 'string' },
      reuse: { type: 'boolean', default: false },
      'skip-core': { type: 'boolean', default: false },
      explain: { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const scaleOnly = values['scale-only'] ?? null;
  if (scaleOnly !== null && scaleOnly !== 'small' && scaleOnly !== 'full') {
    throw new Error('--scale-only must be small or full');
  }
  const explain = values.explain ?? 'misses';
  if (explain !== 'misses' && explain !== 'all' && explain !== 'none') {
    throw new Error('--explain must be misses, all or none');
  }
  return {
    sizes: validateSizes({
      stores: positiveInt('stores', values.stores, 100),
      customers: positiveInt('customers', values.customers, 20_000),
      conversations: positiveInt('conversations', values.conversations, 100_000),
      messages: positiveInt('messages', values.messages, 1_000_000),
    }),
    iterations: positiveInt('iterations', values.iterations, 500),
    sendIterations: positiveInt('send-iterations', values['send-iterations'], 300),
    warmup: positiveInt('warmup', values.warmup, 50, 0),
    deepPage: positiveInt('deep-page', values['deep-page'], 50),
    scaleOnly,
    reuse: values.reuse,
    core: !values['skip-core'],
    explain,
    database: benchDatabaseName(values.database),
  };
}

/** A plain database name (it is put in SQL unquoted); absent: the default. */
function benchDatabaseName(value: string | undefined): string {
  if (value === undefined) return BENCH_DATABASE;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new Error('--database must be a lower-case identifier');
  return value;
}

/** One tenth of every size, kept seedable (a customer per store, a message per conversation). */
function tenth(sizes: DatasetSizes): DatasetSizes {
  const stores = Math.max(1, Math.round(sizes.stores / 10));
  const conversations = Math.max(1, Math.round(sizes.conversations / 10));
  return {
    stores,
    customers: Math.max(stores, Math.round(sizes.customers / 10)),
    conversations,
    messages: Math.max(conversations, Math.round(sizes.messages / 10)),
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(1)} s`;
}

interface ScaleResult {
  readonly name: 'small' | 'full';
  readonly schema: string;
  readonly sizes: DatasetSizes;
  /** Null when `--reuse` found the data set already seeded. */
  readonly seed: (SeedReport & { readonly verifyMs: number }) | null;
  readonly reusedFrom: string | null;
  readonly workload: Omit<
    Workload,
    'deepCursor' | 'deepCoreCursor' | 'sendConversations' | 'detailConversations'
  > & {
    readonly sendConversations: number;
    readonly detailConversations: number;
  };
  readonly results: readonly {
    key: OperationKey;
    layer: Layer;
    label: string;
    stats: LatencyStats;
    /** 1-minute load average of the machine when the operation's measurement began. */
    loadAverage: number;
    /** The control (a bare `select 1` round trip) timed in the same iterations. */
    control: LatencyStats | null;
  }[];
}

interface TargetCheck {
  readonly key: OperationKey;
  readonly layer: Layer;
  readonly label: string;
  readonly rule: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
  /** Context: the full-size p50, and the `select 1` control's p99 in the same iterations. */
  readonly fullP50: number;
  readonly controlP99: number | null;
}

async function prepareDatabase(adminUrl: string, reuse: boolean, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!reuse || rows.length === 0) {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.query(`create database ${database}`);
    }
  } finally {
    await admin.end();
  }
}

/** Seeds `schema` with `sizes` unless `--reuse` finds it seeded with the same sizes and seed. */
async function ensureDataset(
  client: pg.Client,
  benchUrl: string,
  schema: string,
  sizes: DatasetSizes,
  reuse: boolean,
): Promise<{ seed: ScaleResult['seed']; reusedFrom: string | null }> {
  if (reuse) {
    const { rows } = await client.query<{ seeded_at: Date }>(
      `select seeded_at from bench_support.datasets
       where schema_name = $1 and seed_version = $2 and stores = $3 and customers = $4
         and conversations = $5 and messages = $6
         and exists (select from pg_namespace where nspname = $1)`,
      [schema, SEED_VERSION, sizes.stores, sizes.customers, sizes.conversations, sizes.messages],
    );
    const found = rows[0];
    if (found !== undefined) {
      console.log(
        `  reusing ${schema}, seeded ${found.seeded_at.toISOString()} (sends of earlier runs included)`,
      );
      // Migrations added since the seed (an index under test, say) apply to the seeded data.
      const database = createDatabase({ kind: 'postgres', url: benchUrl, schema });
      try {
        const { applied } = await migrateToLatest(database);
        if (applied.length > 0) {
          console.log(`  applied ${applied.map((m) => m.name).join(', ')}; analyzing`);
          await client.query(`set search_path to ${schema}`);
          await client.query('analyze');
          await client.query('reset search_path');
        }
      } finally {
        await database.destroy();
      }
      return { seed: null, reusedFrom: found.seeded_at.toISOString() };
    }
  }
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.query(`create schema ${schema}`);
  const migrateStarted = performance.now();
  const database = createDatabase({ kind: 'postgres', url: benchUrl, schema });
  try {
    await migrateToLatest(database);
  } finally {
    await database.destroy();
  }
  console.log(`  migrated ${schema} in ${seconds(performance.now() - migrateStarted)}; seeding:`);
  // Seeded history ends a minute ago, so sends (at the wall clock) are the newest messages.
  const end = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const report = await seedDataset(client, schema, sizes, end, (line) => console.log(line));
  console.log(`    ${'total'.padEnd(42)} ${(report.totalMs / 1000).toFixed(1).padStart(6)} s`);
  const verify = await verifyDataset(client, schema);
  if (verify.failures.length > 0) {
    throw new Error(
      `seeded data is inconsistent: ${verify.failures.map((f) => `${f.name} (${f.rows} rows)`).join('; ')}`,
    );
  }
  console.log(`  verified counters, read state and tenants in ${seconds(verify.ms)}`);
  await client.query(
    `insert into bench_support.datasets (schema_name, seed_version, stores, customers, conversations, messages,
       seeded_at, seed_ms, report)
     values ($1, $2, $3, $4, $5, $6, now(), $7, $8)
     on conflict (schema_name) do update set seed_version = excluded.seed_version, stores = excluded.stores,
       customers = excluded.customers, conversations = excluded.conversations, messages = excluded.messages,
       seeded_at = excluded.seeded_at, seed_ms = excluded.seed_ms, report = excluded.report`,
    [
      schema,
      SEED_VERSION,
      sizes.stores,
      sizes.customers,
      sizes.conversations,
      sizes.messages,
      report.totalMs,
      JSON.stringify(report),
    ],
  );
  return { seed: { ...report, verifyMs: verify.ms }, reusedFrom: null };
}

/** A seeded data set, its pool and the operations on it, ready to measure. */
interface PreparedScale {
  readonly name: 'small' | 'full';
  readonly schema: string;
  readonly sizes: DatasetSizes;
  readonly seed: ScaleResult['seed'];
  readonly reusedFrom: string | null;
  readonly database: ParleyDatabase;
  readonly workload: Workload;
  readonly operations: readonly Operation[];
}

async function prepareScale(
  client: pg.Client,
  benchUrl: string,
  name: 'small' | 'full',
  sizes: DatasetSizes,
  options: Options,
): Promise<PreparedScale> {
  const schema = `bench_${name}`;
  console.log(
    `\n== ${name === 'small' ? 'tenth' : 'full'}: ${count(sizes.stores)} stores, ${count(sizes.customers)} customers, ` +
      `${count(sizes.conversations)} conversations, ${count(sizes.messages)} messages (schema ${schema})`,
  );
  const { seed, reusedFrom } = await ensureDataset(client, benchUrl, schema, sizes, options.reuse);
  if (seed !== null) {
    const mib = Object.values(seed.bytes).reduce((sum, b) => sum + b, 0) / 2 ** 20;
    console.log(`  data set: ${mib.toFixed(0)} MiB (tables and indexes)`);
  }
  const database = createDatabase({ kind: 'postgres', url: benchUrl, schema, poolSize: 4 });
  const workload = await selectWorkload(database.db, options.deepPage, PAGE_SIZE);
  console.log(
    `  busy store user ${workload.user.id} (${workload.user.storeId}): ${count(workload.inboxSize)} conversations, ` +
      `${count(workload.unreadConversations)} unread, badge ${count(workload.badge)}; deep page = page ` +
      `${workload.deepPage}; detail over ${workload.detailConversations.length} conversations ` +
      `(avg ${workload.detailMessagesAvg.toFixed(0)} messages)`,
  );
  const operations = operationsFor(database.db, workload).filter(
    (op) => options.core || op.layer === 'adapter',
  );
  // Reads first (adapter, then core), sends last: sends bump conversations of the inbox.
  const ordered = [
    ...operations.filter((op) => op.kind === 'read'),
    ...operations.filter((op) => op.kind === 'send'),
  ];
  return { name, schema, sizes, seed, reusedFrom, database, workload, operations: ordered };
}

/** Measures every operation on every prepared scale, iterations interleaved across scales. */
async function measureScales(scales: readonly PreparedScale[], options: Options): Promise<ScaleResult[]> {
  const results = scales.map(() => [] as ScaleResult['results'][number][]);
  // Control: a bare `select 1` round trip, timed in the same iterations as each operation. Its
  // tail is scheduling noise (this process and the PostgreSQL backend waiting for a CPU), not
  // query work: when it is high, so is every operation's p99.
  const first = scales[0];
  if (first === undefined) return [];
  const controlDb = first.database.db;
  const control = () => sql`select 1`.execute(controlDb);
  console.log(
    `\n== measuring: ${scales.map((s) => (s.name === 'small' ? 'tenth' : 'full')).join(' and ')}, ` +
      `${options.warmup} warm-up + ${options.iterations} (reads) / ${options.sendIterations} (sends) iterations, ` +
      `one call at a time${scales.length > 1 ? ', scales interleaved' : ''}`,
  );
  for (const [index, op] of first.operations.entries()) {
    const iterations = op.kind === 'send' ? options.sendIterations : options.iterations;
    const load = os.loadavg()[0] ?? 0;
    const stats = await measureInterleaved(
      [
        ...scales.map((scale) => {
          const same = scale.operations[index];
          if (same === undefined || same.key !== op.key || same.layer !== op.layer) {
            throw new Error('operations differ');
          }
          return (i: number) => same.run(i);
        }),
        control,
      ],
      options.warmup,
      iterations,
    );
    const controlStats = stats[scales.length];
    const cells: string[] = [];
    for (const [k, scale] of scales.entries()) {
      const s = stats[k];
      if (s === undefined) continue;
      results[k]?.push({
        key: op.key,
        layer: op.layer,
        label: op.label,
        stats: s,
        loadAverage: load,
        control: controlStats ?? null,
      });
      cells.push(
        `${scale.name === 'small' ? 'tenth' : 'full'} p50 ${ms(s.p50).padStart(6)} p95 ${ms(s.p95).padStart(6)} p99 ${ms(s.p99).padStart(6)}`,
      );
    }
    const noise =
      controlStats === undefined
        ? ''
        : `   select 1: p50 ${ms(controlStats.p50)} p99 ${ms(controlStats.p99)}`;
    console.log(
      `  ${op.label.padEnd(38)} ${op.layer.padEnd(8)} ${cells.join('   ')}  ms${noise}` +
        `${load > 1 ? `   (load avg ${load.toFixed(2)})` : ''}`,
    );
  }
  return scales.map((scale, k) => {
    const {
      deepCursor: _c,
      deepCoreCursor: _cc,
      sendConversations,
      detailConversations,
      ...rest
    } = scale.workload;
    return {
      name: scale.name,
      schema: scale.schema,
      sizes: scale.sizes,
      seed: scale.seed,
      reusedFrom: scale.reusedFrom,
      workload: {
        ...rest,
        sendConversations: sendConversations.length,
        detailConversations: detailConversations.length,
      },
      results: results[k] ?? [],
    };
  });
}

function statsOf(scale: ScaleResult | undefined, key: OperationKey, layer: Layer): LatencyStats | undefined {
  return scale?.results.find((r) => r.key === key && r.layer === layer)?.stats;
}

/** A latency goal: which percentile of which operations, its limit at full size, and flat growth. */
interface LatencyGoal {
  readonly keys: readonly OperationKey[];
  readonly percentile: 'p95' | 'p99';
  readonly limitMs: number;
}

const GOALS: readonly LatencyGoal[] = [
  { keys: TARGETED, percentile: 'p99', limitMs: TARGET_P99_MS },
  { keys: ['search'], percentile: 'p95', limitMs: SEARCH_TARGET_P95_MS },
];

function checkTargets(small: ScaleResult | undefined, full: ScaleResult | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const { keys, percentile, limitMs } of GOALS) {
    for (const layer of ['adapter', 'core'] as const) {
      for (const key of keys) {
        const label = OPERATIONS.find((op) => op.key === key)?.label ?? key;
        const atFull = statsOf(full, key, layer);
        const atSmall = statsOf(small, key, layer);
        if (atFull === undefined) continue;
        const context = {
          fullP50: atFull.p50,
          controlP99: full?.results.find((r) => r.key === key && r.layer === layer)?.control?.p99 ?? null,
        };
        checks.push({
          key,
          layer,
          label,
          rule: `${percentile} <= ${limitMs} ms at full size`,
          value: atFull[percentile],
          limit: limitMs,
          met: atFull[percentile] <= limitMs,
          ...context,
        });
        if (atSmall !== undefined) {
          checks.push({
            key,
            layer,
            label,
            rule: `${percentile} full / ${percentile} tenth <= ${TARGET_GROWTH}`,
            value: atFull[percentile] / atSmall[percentile],
            limit: TARGET_GROWTH,
            met: atFull[percentile] <= TARGET_GROWTH * atSmall[percentile],
            ...context,
          });
        }
      }
    }
  }
  return checks;
}

function printTable(small: ScaleResult | undefined, full: ScaleResult | undefined): void {
  const header = [
    'operation'.padEnd(38),
    'via'.padEnd(8),
    'tenth p50'.padStart(10),
    'tenth p99'.padStart(10),
    'full p50'.padStart(10),
    'full p99'.padStart(10),
    'p99 growth'.padStart(11),
  ].join(' ');
  console.log(`\n${header}\n${'-'.repeat(header.length)}`);
  for (const layer of ['adapter', 'core'] as const) {
    for (const op of OPERATIONS) {
      const a = statsOf(small, op.key, layer);
      const b = statsOf(full, op.key, layer);
      if (a === undefined && b === undefined) continue;
      const growth = a !== undefined && b !== undefined ? `${(b.p99 / a.p99).toFixed(2)}×` : '–';
      console.log(
        [
          op.label.padEnd(38),
          layer.padEnd(8),
          ms(a?.p50).padStart(10),
          ms(a?.p99).padStart(10),
          ms(b?.p50).padStart(10),
          ms(b?.p99).padStart(10),
          growth.padStart(11),
        ].join(' '),
      );
    }
  }
  console.log('(milliseconds; "tenth" = one tenth of every size)');
}

async function serverInfo(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query<{ name: string; setting: string }>(
    `select 'version' as name, version() as setting
     union all
     select name, current_setting(name) from pg_settings
     where name in ('shared_buffers', 'effective_cache_size', 'work_mem', 'random_page_cost', 'jit',
       'synchronous_commit', 'max_parallel_workers_per_gather')`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    console.log(HELP);
    return;
  }
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const benchUrl = withDatabase(adminUrl, options.database);
  const started = performance.now();
  console.log(`parley bench:db on ${redact(benchUrl)}${options.reuse ? ' (--reuse)' : ''}`);
  await prepareDatabase(adminUrl, options.reuse, options.database);

  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  let small: ScaleResult | undefined;
  let full: ScaleResult | undefined;
  let server: Record<string, string> = {};
  const prepared: PreparedScale[] = [];
  try {
    await client.query(SUPPORT_SQL);
    server = await serverInfo(client);
    console.log(`${server.version ?? 'PostgreSQL'}; ${os.cpus().length} CPUs, node ${process.version}`);
    // The tenth first, then the full size, each seeded from scratch in its own schema.
    if (options.scaleOnly !== 'full') {
      prepared.push(await prepareScale(client, benchUrl, 'small', tenth(options.sizes), options));
    }
    if (options.scaleOnly !== 'small') {
      prepared.push(await prepareScale(client, benchUrl, 'full', options.sizes, options));
    }
    const measured = await measureScales(prepared, options);
    small = measured.find((scale) => scale.name === 'small');
    full = measured.find((scale) => scale.name === 'full');
  } finally {
    for (const scale of prepared) await scale.database.destroy();
    await client.end();
  }

  printTable(small, full);
  const checks = checkTargets(small, full);
  if (checks.length === 0) {
    console.log('\ntargets: not evaluated (they need the full-size scale)');
  } else {
    console.log(
      `\ntargets (p99 <= ${TARGET_P99_MS} ms at full size and <= ${TARGET_GROWTH}× the tenth; search: p95 <= ${SEARCH_TARGET_P95_MS} ms and <= ${TARGET_GROWTH}×):`,
    );
    for (const check of checks) {
      const value = check.rule.includes(' full / ') ? `${check.value.toFixed(2)}×` : `${ms(check.value)} ms`;
      const context =
        `full p50 ${ms(check.fullP50)} ms` +
        (check.controlP99 === null ? '' : `, select 1 p99 ${ms(check.controlP99)} ms`);
      console.log(
        `  ${check.met ? 'MET   ' : 'MISSED'} ${check.label.padEnd(38)} ${check.layer.padEnd(8)} ` +
          `${check.rule.padEnd(34)} ${value.padStart(8)}   (${context})`,
      );
    }
  }

  // Plans: of every operation that missed a target (at the largest scale measured), or all.
  const explainScale = full ?? small;
  const toExplain: { key: OperationKey; layer: Layer }[] = [];
  if (options.explain === 'all' && explainScale !== undefined) {
    for (const r of explainScale.results) toExplain.push({ key: r.key, layer: r.layer });
  } else if (options.explain === 'misses') {
    for (const check of checks) {
      if (!check.met && !toExplain.some((e) => e.key === check.key && e.layer === check.layer)) {
        toExplain.push({ key: check.key, layer: check.layer });
      }
    }
  }
  const explains: { key: OperationKey; layer: Layer; scale: string; statements: ExplainedStatement[] }[] = [];
  if (toExplain.length > 0 && explainScale !== undefined) {
    const planDb = createDatabase({
      kind: 'postgres',
      url: benchUrl,
      schema: explainScale.schema,
      poolSize: 2,
    });
    try {
      const workload = await selectWorkload(planDb.db, options.deepPage, PAGE_SIZE);
      for (const target of toExplain) {
        const build = (db: Parameters<typeof operationsFor>[0]): Operation => {
          const op = operationsFor(db, workload).find(
            (o) => o.key === target.key && o.layer === target.layer,
          );
          if (op === undefined) throw new Error(`no operation ${target.key}/${target.layer}`);
          return op;
        };
        const statements = await captureStatements(benchUrl, explainScale.schema, build, 0);
        const plans = await explainStatements(benchUrl, explainScale.schema, statements);
        explains.push({ ...target, scale: explainScale.name, statements: plans });
        const label = OPERATIONS.find((op) => op.key === target.key)?.label ?? target.key;
        console.log(
          `\n=== EXPLAIN (ANALYZE, BUFFERS): ${label} via ${target.layer}, ${explainScale.name} scale ===`,
        );
        const slowest = Math.max(...plans.map((p) => p.executionMs ?? 0));
        plans.forEach((statement, index) => {
          const time = statement.executionMs === null ? '' : `, execution ${ms(statement.executionMs)} ms`;
          const mark = statement.executionMs === slowest && plans.length > 1 ? ' (slowest)' : '';
          console.log(
            `\n-- statement ${index + 1} of ${plans.length}${time}${mark}:\n  ${compactSql(statement.sql)}`,
          );
          console.log(`-- parameters: ${JSON.stringify(statement.parameters)}`);
          console.log(statement.plan);
        });
      }
    } finally {
      await planDb.destroy();
    }
  }

  const totalMs = performance.now() - started;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(outDir, { recursive: true });
  const outFile = `${outDir}db-${stamp}.json`;
  const report = {
    generatedAt: new Date().toISOString(),
    totalSeconds: totalMs / 1000,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: os.totalmem() / 2 ** 30,
      loadAverage: os.loadavg(),
      node: process.version,
    },
    server,
    database: redact(benchUrl),
    options: { ...options, pageSize: PAGE_SIZE, seedVersion: SEED_VERSION },
    scales: [small, full].filter((scale) => scale !== undefined),
    targets: checks,
    explains,
  };
  await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
  const missed = checks.filter((check) => !check.met).length;
  console.log(
    `\n${checks.length === 0 ? 'no targets evaluated' : missed === 0 ? 'all targets met' : `${missed} of ${checks.length} target checks missed`}` +
      `; total ${seconds(totalMs)}; wrote ${outFile}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
