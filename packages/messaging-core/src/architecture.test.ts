import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core stays pure: these checks make the dependency rule fail a test, not a review.
const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const FORBIDDEN_IMPORT =
  /from\s+['"](node:|fs|path|net|http|https|child_process|fastify|@fastify\/|kysely|pg|@electric-sql\/|nodemailer|@aws-sdk\/|@sendgrid\/|mailgun\.js|sharp|@parley\/(?!messaging-core))/;

describe('the core is pure', () => {
  it('has no runtime dependency on an I/O library', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['uuidv7']);
  });

  it('imports no I/O module, framework or adapter, and never reads the environment', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      // testing/ may import vitest (contract suites) but nothing that does I/O either.
      if (FORBIDDEN_IMPORT.test(text) || /process\.env/.test(text)) offenders.push(relative(root, file));
    }
    expect(offenders).toEqual([]);
  });

  it('never imports testing/ from production code (in-memory adapters and suites are for tests)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(src)) {
      const path = relative(src, file);
      if (path.startsWith('testing/')) continue;
      const text = readFileSync(file, 'utf8');
      if (/from\s+['"][./]*testing\/|['"]@parley\/messaging-core\/testing/.test(text)) offenders.push(path);
    }
    expect(offenders).toEqual([]);
  });

  it('exports what it declares public from the package entry points, by name', () => {
    const index =
      readFileSync(join(src, 'index.ts'), 'utf8') + readFileSync(join(src, 'testing/index.ts'), 'utf8');
    expect(index).not.toMatch(/export \*/);
  });
});
