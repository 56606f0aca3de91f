import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');

/** The first ```ts block of the README's "Using the core in your own tests" section, verbatim. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the core in your own tests'));
  const block = section.match(/```ts\n([\s\S]*?)```/);
  if (!block?.[1]) throw new Error('README has no ts block under "Using the core in your own tests"');
  return block[1];
}

// A resolve hook for the child: importing vitest (directly or through the package) fails at once,
// so "importable without vitest" is checked, not assumed.
const NO_VITEST_HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'vitest' || specifier.startsWith('vitest/') || specifier.startsWith('@vitest/'))
    throw new Error('vitest was imported by ' + context.parentURL);
  return next(specifier, context);
}
`;
const REGISTER = `import { register } from 'node:module';
register('./no-vitest-hooks.mjs', import.meta.url);
`;

const EXPECTED = [
  '"Your order #42": Ana has 1 unread message(s)',
  'events: conversation.created, message.sent',
];

describe("the README's core snippet, as a user runs it", () => {
  let dir: string;
  beforeAll(async () => {
    // Inside the repository so `@parley/messaging-core` resolves as it does for a file at the root.
    dir = await mkdtemp(join(ROOT, 'examples', '.readme-snippet-'));
    // The package's exports point at dist/ without the @parley/source condition: build it, as the
    // README says to.
    await run(join(BIN, 'tsc'), ['-p', 'packages/messaging-core/tsconfig.build.json'], { cwd: ROOT });
    await writeFile(join(dir, 'no-vitest-hooks.mjs'), NO_VITEST_HOOKS);
    await writeFile(join(dir, 'register.mjs'), REGISTER);
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs with plain node, without the source condition and without vitest', async () => {
    const file = join(dir, 'try-parley.mjs');
    await writeFile(file, await readmeSnippet());
    const { stdout, stderr } = await run(process.execPath, ['--import', join(dir, 'register.mjs'), file], {
      cwd: ROOT,
    });
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual(EXPECTED);
  });

  it('runs with `npx tsx try-parley.ts` as documented', async () => {
    const file = join(dir, 'try-parley.ts');
    await writeFile(file, await readmeSnippet());
    const { stdout } = await run(join(BIN, 'tsx'), [file], { cwd: ROOT });
    expect(stdout.trim().split('\n')).toEqual(EXPECTED);
  });

  it('the contract suites are a separate subpath, and the testing index never reaches vitest', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'packages/messaging-core/package.json'), 'utf8'));
    expect(manifest.exports['./testing/contracts']).toMatchObject({
      default: './dist/testing/contracts/index.js',
    });
    const probe = join(dir, 'probe.mjs');
    await writeFile(
      probe,
      "const testing = await import('@parley/messaging-core/testing');\n" +
        "console.log(['messagingStoreContract', 'InMemoryMessagingStore'].map((n) => n in testing).join(','));\n",
    );
    const { stdout } = await run(process.execPath, ['--import', join(dir, 'register.mjs'), probe], {
      cwd: ROOT,
    });
    expect(stdout.trim()).toBe('false,true');
    // The hook really does refuse vitest: the contracts subpath fails under it.
    await writeFile(probe, "await import('@parley/messaging-core/testing/contracts');\n");
    await expect(
      run(process.execPath, ['--import', join(dir, 'register.mjs'), probe], { cwd: ROOT }),
    ).rejects.toThrow(/vitest was imported/);
  });
});
