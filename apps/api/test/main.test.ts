import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real entry point, as `pnpm start` runs it: a child process on PGlite in a temp dir.
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(APP_DIR, 'node_modules', '.bin', 'tsx');

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PARLEY_') && name !== 'DATABASE_URL' && name !== 'NODE_ENV') env[name] = value;
  }
  return { ...env, ...extra };
}

function start(extra: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
} {
  const child = spawn(TSX, ['--conditions=@parley/source', 'src/main.ts'], {
    cwd: APP_DIR,
    env: childEnv(extra),
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  return { child, output: () => output };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function waitFor(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('main (pnpm start)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-main-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts on embedded defaults, prints URL, docs and working demo tokens, and shuts down on SIGTERM', async () => {
    const { child, output } = start({ PARLEY_DATA_DIR: dir, PARLEY_PORT: '0' });
    try {
      const [, url] = await waitFor(output, /Parley API\s+(http:\/\/127\.0\.0\.1:\d+)/, 45_000);
      await waitFor(output, /\n {2}service .*\n {4}\S+/, 5_000);
      expect(output()).toContain(`${url}/docs`);
      const tokens = Object.fromEntries(
        [...output().matchAll(/^ {2}(admin|store|customer|service)\s.*\n {4}(\S+)$/gm)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      expect(Object.keys(tokens).sort()).toEqual(['admin', 'customer', 'service', 'store']);
      const get = async (path: string, token?: string) =>
        fetch(`${url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      expect((await get('/readyz')).status).toBe(200);
      expect((await get('/docs')).status).toBe(200);
      expect((await get('/api/v1/admin/messages', tokens.admin)).status).toBe(200);
      expect((await get('/api/v1/store/messages/unread-count', tokens.store)).status).toBe(200);
      expect((await get('/api/v1/storefront/messages', tokens.customer)).status).toBe(200);
      expect((await get('/api/v1/platform/stores/demo-store', tokens.service)).status).toBe(200);
      // Log lines are JSON with request ids, and carry no token.
      for (const token of Object.values(tokens)) {
        const logLines = output()
          .split('\n')
          .filter((line) => line.startsWith('{'));
        expect(logLines.length).toBeGreaterThan(0);
        for (const line of logLines) expect(line).not.toContain(token);
      }
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(output()).toContain('shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits non-zero naming a bad variable', async () => {
    const { child, output } = start({ PARLEY_DATA_DIR: dir, PARLEY_PORT: 'eighty' });
    expect(await exited(child)).toBe(1);
    expect(output()).toContain(
      'Invalid configuration: PARLEY_PORT must be an integer from 0 to 65535 (got "eighty")',
    );
  });
});
