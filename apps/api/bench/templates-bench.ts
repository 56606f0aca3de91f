// pnpm bench:templates — does one store hammering worst-case email template previews stall other
// tenants? Starts the API (`src/main.ts` under tsx, as `pnpm start`) on embedded PGlite in a temp
// data dir, saves a worst-case override (nested loops) for the demo store, then samples `GET
// /healthz` one request at a time: first alone (baseline), then while that store keeps
// BENCH_PREVIEW_CONCURRENCY previews in flight, then (control) while it sends previews of a trivial
// template at the same request rate — what the request handling alone (HTTP, token, PGlite on the
// main thread) costs, without the renders. Prints p50/p99/max of /healthz for each phase, the
// preview outcomes, the configuration and the machine's load. Goal: /healthz p99 under 50 ms.
//
// Environment (all optional): BENCH_DURATION seconds per phase (default 20);
// BENCH_PREVIEW_CONCURRENCY previews in flight (default 4); BENCH_HEALTH_INTERVAL_MS pause between
// /healthz samples (default 10); BENCH_TEMPLATE_WORKERS, BENCH_TEMPLATE_TIMEOUT (PARLEY_TEMPLATE_*,
// defaults: the API's). The preview rate limit is turned off so every preview really renders (the
// worst case for the CPU); with it on, most of a hammering store's previews are cheap 429s.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO } from '../src/demo-seed.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { PREVIEW_VARIABLES, WORST_CASE_TEMPLATE } from '../test/support/worst-case-template.js';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const CONCURRENCY = Number(process.env.BENCH_PREVIEW_CONCURRENCY ?? 4);
const HEALTH_INTERVAL_MS = Number(process.env.BENCH_HEALTH_INTERVAL_MS ?? 10);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const GOAL_P99_MS = 50;

function apiEnvironment(dataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_PORT: '0',
    PARLEY_JWT_SECRET: SECRET,
    PARLEY_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_RATE_LIMIT_MAX: '1000000',
    PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: 'off',
    PARLEY_NOTIFICATIONS_WORKER: 'off',
    PARLEY_SEED_DEMO: 'true',
  };
  if (process.env.BENCH_TEMPLATE_WORKERS) env.PARLEY_TEMPLATE_WORKERS = process.env.BENCH_TEMPLATE_WORKERS;
  if (process.env.BENCH_TEMPLATE_TIMEOUT)
    env.PARLEY_TEMPLATE_RENDER_TIMEOUT = process.env.BENCH_TEMPLATE_TIMEOUT;
  return env;
}

async function startApi(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    join(APP_DIR, 'node_modules', '.bin', 'tsx'),
    ['--conditions=@parley/source', 'src/main.ts'],
    {
      cwd: APP_DIR,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output}`)), 120_000);
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      const match = /Parley API\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveBase(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`API exited (${code}):\n${output}`)));
  });
  return { child, base };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface HealthSummary {
  readonly samples: number;
  readonly failures: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** `GET /healthz` one at a time until `until`, each timed from send to full body. */
async function sampleHealth(base: string, until: number): Promise<HealthSummary> {
  const times: number[] = [];
  let failures = 0;
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const response = await fetch(`${base}/healthz`);
      await response.text();
      if (response.status !== 200) failures += 1;
    } catch {
      failures += 1;
    }
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, HEALTH_INTERVAL_MS));
  }
  times.sort((a, b) => a - b);
  return {
    samples: times.length,
    failures,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
  };
}

/**
 * Keeps `concurrency` previews (in `language`) in flight until `until`, each loop waiting
 * `pauseMs` after an answer; counts answers by status.
 */
async function hammerPreviews(
  base: string,
  token: string,
  until: number,
  { language, concurrency, pauseMs }: { language: string; concurrency: number; pauseMs: number },
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const loop = async () => {
    while (performance.now() < until) {
      const response = await fetch(`${base}/api/v1/store/email-templates/new_message/${language}/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ variables: PREVIEW_VARIABLES }),
      });
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      const key = `${response.status}${body.code ? ` ${body.code}` : ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return statuses;
}

const total = (statuses: Record<string, number>) => Object.values(statuses).reduce((a, b) => a + b, 0);

function row(name: string, s: HealthSummary): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
  return `${name.padEnd(34)}${String(s.samples).padStart(8)}${ms(s.p50)}${ms(s.p99)}${ms(s.max)}${String(s.failures).padStart(9)}`;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-templates-'));
  const env = apiEnvironment(dataDir);
  const loadBefore = loadavg();
  console.log(`[bench:templates] starting the API (tsx, PGlite in ${dataDir}) …`);
  const { child, base } = await startApi(env);
  try {
    const token = await issueToken(secretKey(SECRET), {
      sub: DEMO.storeUser.id,
      role: 'store',
      storeId: DEMO.store.id,
    });
    const saved = await fetch(`${base}/api/v1/store/email-templates/new_message/en`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Worst case', body_html: WORST_CASE_TEMPLATE }),
    });
    if (saved.status !== 200) throw new Error(`saving the override: ${saved.status} ${await saved.text()}`);
    const trivial = await fetch(`${base}/api/v1/store/email-templates/new_message/fr`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Trivial',
        body_html: '<p>{{ sender_name }}: {{ message_preview }}</p>',
      }),
    });
    if (trivial.status !== 200)
      throw new Error(`saving the override: ${trivial.status} ${await trivial.text()}`);
    // Warm up: the workers start, /healthz's route and the HTTP client are hot.
    const warm = await fetch(`${base}/api/v1/store/email-templates/new_message/en/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ variables: PREVIEW_VARIABLES }),
    });
    console.log(
      `[bench:templates] warm-up preview: ${warm.status} ${((await warm.json()) as { code?: string }).code}`,
    );
    await sampleHealth(base, performance.now() + 2_000);

    console.log(`[bench:templates] phase 1: /healthz alone for ${DURATION_S} s …`);
    const baseline = await sampleHealth(base, performance.now() + DURATION_S * 1_000);
    console.log(
      `[bench:templates] phase 2: /healthz while one store keeps ${CONCURRENCY} worst-case previews in flight for ${DURATION_S} s …`,
    );
    const until = performance.now() + DURATION_S * 1_000;
    const [loaded, previews] = await Promise.all([
      sampleHealth(base, until),
      hammerPreviews(base, token, until, { language: 'en', concurrency: CONCURRENCY, pauseMs: 0 }),
    ]);
    // Control: one preview at a time of a trivial template, paced to the worst-case phase's rate.
    const pauseMs = Math.max(0, (DURATION_S * 1_000) / Math.max(1, total(previews)));
    console.log(
      `[bench:templates] phase 3 (control): /healthz while the store previews a trivial template every ${pauseMs.toFixed(0)} ms for ${DURATION_S} s …`,
    );
    const controlUntil = performance.now() + DURATION_S * 1_000;
    const [control, controlPreviews] = await Promise.all([
      sampleHealth(base, controlUntil),
      hammerPreviews(base, token, controlUntil, { language: 'fr', concurrency: 1, pauseMs }),
    ]);
    const loadAfter = loadavg();

    const cpu = cpus()[0];
    console.log('');
    console.log(`date              ${new Date().toISOString()}`);
    console.log(
      `machine           ${availableParallelism()} CPUs (${cpu?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    );
    console.log(
      `load average      before ${loadBefore.map((n) => n.toFixed(2)).join(' / ')}, after ${loadAfter.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
    );
    console.log(
      `configuration     PARLEY_TEMPLATE_WORKERS=${env.PARLEY_TEMPLATE_WORKERS ?? `default (${Math.max(1, Math.floor(availableParallelism() / 2))})`}, PARLEY_TEMPLATE_RENDER_TIMEOUT=${env.PARLEY_TEMPLATE_RENDER_TIMEOUT ?? 'default (1s)'}, preview rate limit off, ${CONCURRENCY} previews in flight, /healthz every ${HEALTH_INTERVAL_MS} ms, ${DURATION_S} s per phase, API under tsx on PGlite`,
    );
    const list = (statuses: Record<string, number>) =>
      Object.entries(statuses)
        .map(([k, v]) => `${v} × ${k}`)
        .join(', ');
    console.log(
      `previews          worst case: ${list(previews)}; control (trivial): ${list(controlPreviews)}`,
    );
    console.log('');
    console.log(
      `${'/healthz'.padEnd(34)}${'samples'.padStart(8)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}${'failures'.padStart(9)}`,
    );
    console.log(row('alone', baseline));
    console.log(row('during worst-case previews', loaded));
    console.log(row('control: trivial previews, same rate', control));
    console.log('');
    const met = loaded.p99 < GOAL_P99_MS && loaded.failures === 0;
    console.log(
      `goal              /healthz p99 < ${GOAL_P99_MS} ms during previews: ${met ? 'met' : 'NOT met'} (${loaded.p99.toFixed(1)} ms)`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
