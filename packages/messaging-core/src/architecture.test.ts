import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core's architecture, as tests: a review can miss an import, these cannot. The layout and the
// dependency direction are documented in docs/architecture.md ("The core").
const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

/**
 * Bounded contexts and what each may import. Dependencies point one way, in one line:
 *
 *   kernel ← conversations ← alerts ← email ← notifications
 *                  ↖ realtime                ↖ webhooks
 *
 * kernel is imported by all and imports none. conversations owns the access policy (the one rule
 * book: conversation actions and platform capabilities alike); alerts and email ask it about
 * their capabilities (`requireCapability`) and default to the marketplace preset, so they sit
 * above conversations rather than pulling a capability interface into the kernel (which could not
 * hold that default) — conversations never needs email or alerts. email raises admin alerts
 * (send-failure streaks); notifications reacts to conversation events and sends through email;
 * realtime projects conversation events for connected people and carries typing and presence;
 * webhooks delivers conversation events to the host platform, sealing its secrets and checking
 * its targets through email's ports (`SecretCipher`, `OutboundAddressGuard`) and raising an
 * admin alert when an endpoint is disabled. privacy (GDPR export and erasure) reads and erases a
 * person's data across contexts through its own port, and records its events in the conversation
 * event log. The audit log's entry and its mapping from events sit in the kernel (every context
 * writes entries in its own transactions); audit reads the log, under the policy's capability.
 * The package entry points (src/index.ts, src/testing/) sit above every context and may import
 * any of them.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  kernel: [],
  conversations: ['kernel'],
  alerts: ['kernel', 'conversations'],
  email: ['kernel', 'conversations', 'alerts'],
  notifications: ['kernel', 'conversations', 'alerts', 'email'],
  realtime: ['kernel', 'conversations'],
  webhooks: ['kernel', 'conversations', 'alerts', 'email'],
  privacy: ['kernel', 'conversations'],
  audit: ['kernel', 'conversations'],
};
const CONTEXTS = Object.keys(MAY_IMPORT);

/** Files allowed outside a context folder: the entry points and cross-context test compositions. */
const OUTSIDE_CONTEXTS = /^(index\.ts|architecture\.test\.ts|testing\/.*)$/;

/**
 * Imports that break the direction: the file, the context it reaches, why, and what removes it.
 * Empty, and it should stay so; the test fails when an entry is no longer needed.
 */
const KNOWN_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

interface SourceFile {
  /** Relative to src/, with forward slashes. */
  readonly path: string;
  readonly text: string;
  readonly isTest: boolean;
}

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    if (!entry.name.endsWith('.ts')) return [];
    return [
      {
        path: relative(src, path).split('\\').join('/'),
        text: readFileSync(path, 'utf8'),
        isTest: entry.name.endsWith('.test.ts'),
      },
    ];
  });
}

const SPECIFIER = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of a file, resolved to paths relative to src/ (`..` when outside it). */
function relativeImports(file: SourceFile): string[] {
  const found: string[] = [];
  for (const match of file.text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? '';
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(join(src, file.path)), specifier);
    found.push(relative(src, target).split('\\').join('/'));
  }
  return found;
}

const contextOf = (path: string): string | undefined => CONTEXTS.find((c) => path.startsWith(`${c}/`));
const isTestingPath = (path: string): boolean => /(^|\/)testing\//.test(path);
const files = sourceFiles(src);

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
    const offenders = files
      .filter((f) => !f.isTest)
      // testing/ may import vitest (contract suites) but nothing that does I/O either.
      .filter((f) => FORBIDDEN_IMPORT.test(f.text) || /process\.env/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('exports what it declares public from the package entry points, by name', () => {
    const entryPoints = files.filter(
      (f) => f.path.endsWith('index.ts') && (f.path.split('/').length <= 2 || isTestingPath(f.path)),
    );
    expect(entryPoints.length).toBeGreaterThan(2);
    expect(entryPoints.filter((f) => /export \*/.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});

describe('the core is laid out by bounded context', () => {
  it('keeps every file in a context folder, except the entry points and test compositions', () => {
    const strays = files
      .filter((f) => !contextOf(f.path) && !OUTSIDE_CONTEXTS.test(f.path))
      .map((f) => f.path);
    expect(strays).toEqual([]);
  });

  it('has an entry point per context, published as a subpath export', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
    };
    for (const context of CONTEXTS) {
      expect(files.some((f) => f.path === `${context}/index.ts`)).toBe(true);
      expect(manifest.exports[`./${context}`]?.['@parley/source']).toBe(`./src/${context}/index.ts`);
    }
    for (const kept of ['.', './testing', './testing/contracts'])
      expect(manifest.exports[kept]).toBeDefined();
  });

  // Production code, in-memory adapters and contract suites follow the direction. Tests may combine
  // contexts (e.g. email raising alerts, tested from the alerts side) and use the compositions.
  it('lets contexts depend one way only (kernel first, notifications last)', () => {
    const used = new Set<string>();
    const violations: string[] = [];
    for (const file of files) {
      const from = contextOf(file.path);
      if (!from || file.isTest) continue;
      for (const target of relativeImports(file)) {
        const to = contextOf(target);
        if (to === from) continue;
        // A context never reaches up into the package entry points or the cross-context compositions.
        const allowed = to !== undefined && MAY_IMPORT[from]?.includes(to);
        if (allowed) continue;
        const exception = KNOWN_EXCEPTIONS.find((e) => e.from === file.path && e.to === to);
        if (exception) {
          used.add(`${exception.from} → ${exception.to}`);
          continue;
        }
        violations.push(`${file.path} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
    const stale = KNOWN_EXCEPTIONS.map((e) => `${e.from} → ${e.to}`).filter((e) => !used.has(e));
    expect(stale, 'remove exceptions that are no longer needed').toEqual([]);
  });

  it('never imports testing/ from production code', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (file.isTest || isTestingPath(file.path)) continue;
      for (const target of relativeImports(file)) {
        if (isTestingPath(target)) offenders.push(`${file.path} → ${target}`);
      }
      if (/['"]@parley\/messaging-core\/testing/.test(file.text)) offenders.push(`${file.path} → …/testing`);
    }
    expect(offenders).toEqual([]);
  });

  it('keeps model and ports free of use cases and of in-memory adapters', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (!/^[a-z-]+\/(model|ports)\//.test(file.path)) continue;
      for (const target of relativeImports(file)) {
        if (/\/(use-cases|testing)\//.test(target) || /-core\.ts$/.test(target)) {
          offenders.push(`${file.path} → ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
