import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReceivedEmail } from '@parley/adapters-mail-smtp/testing';
import { isMessagingError, type MessagingError, type OutboundEmail } from '@parley/messaging-core';
import { mailTransportContract } from '@parley/messaging-core/testing/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileMailTransport,
  type FileMailTransportFileHandle,
  type FileMailTransportFs,
} from './file-mail-transport.js';

type Operation = 'mkdir' | 'open' | 'writeFile' | 'rename';
type Fault = { readonly op: Operation } & (
  | { readonly kind: 'fail'; readonly code: string }
  | { readonly kind: 'hang' }
);

/**
 * The real filesystem with faults injected on request: the next `op` fails with an errno code,
 * or never settles until `release()`. Everything else is `node:fs/promises`.
 */
class FaultyFs implements FileMailTransportFs {
  readonly #faults: Fault[] = [];
  readonly #hung: (() => void)[] = [];
  readonly calls: string[] = [];

  failNext(op: Operation, code: string): void {
    this.#faults.push({ kind: 'fail', op, code });
  }

  hangNext(op: Operation): void {
    this.#faults.push({ kind: 'hang', op });
  }

  /** Lets every hung operation go on (as a slow network filesystem finally would). */
  release(): void {
    for (const resume of this.#hung.splice(0)) resume();
  }

  async #fault(op: Operation): Promise<void> {
    this.calls.push(op);
    const index = this.#faults.findIndex((f) => f.op === op);
    if (index < 0) return;
    const [fault] = this.#faults.splice(index, 1);
    if (fault?.kind === 'fail')
      throw Object.assign(new Error(`${fault.code}: simulated, ${op}`), { code: fault.code, syscall: op });
    await new Promise<void>((resume) => this.#hung.push(resume));
  }

  async mkdir(path: string, options: { recursive: true }): Promise<string | undefined> {
    await this.#fault('mkdir');
    return fs.mkdir(path, options);
  }

  async open(path: string, flags: 'wx', mode: number): Promise<FileMailTransportFileHandle> {
    await this.#fault('open');
    const handle = await fs.open(path, flags, mode);
    return {
      writeFile: async (data) => {
        await this.#fault('writeFile');
        await handle.writeFile(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  }

  async rename(oldPath: string, newPath: string): Promise<void> {
    await this.#fault('rename');
    await fs.rename(oldPath, newPath);
  }

  rm(path: string, options: { force: true }): Promise<void> {
    return fs.rm(path, options);
  }
}

const created: string[] = [];
async function tempDirectory(): Promise<string> {
  const directory = await fs.mkdtemp(join(tmpdir(), 'parley-mail-file-'));
  created.push(directory);
  return directory;
}
afterEach(async () => {
  await Promise.all(created.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function emlFiles(directory: string): Promise<string[]> {
  return (await fs.readdir(directory).catch(() => []))
    .filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
    .sort();
}

async function readEmails(directory: string) {
  const names = await emlFiles(directory);
  return Promise.all(names.map(async (name) => parseReceivedEmail(await fs.readFile(join(directory, name)))));
}

describe('FileMailTransport', () => {
  mailTransportContract({
    name: 'file',
    setup: async () => {
      const directory = await tempDirectory();
      const faulty = new FaultyFs();
      // Not a directory: what a store configured with a location it cannot write gets (the file
      // sink has no credentials; as root, EACCES cannot be produced on a real filesystem).
      const blocker = join(await tempDirectory(), 'not-a-directory');
      await fs.writeFile(blocker, '');
      return {
        transport: new FileMailTransport({ directory, fs: faulty, timeoutMs: 1_000 }),
        // No rejectedRecipient: a file sink accepts every well-formed address, so the contract
        // reports that case as skipped rather than faking it.
        received: () => readEmails(directory),
        withBadCredentials: async () => new FileMailTransport({ directory: join(blocker, 'mail') }),
        // The sink's "try later": the filesystem refuses the next write for now.
        throttleNext: async () => faulty.failNext('open', 'EAGAIN'),
        // The sink's "stops answering": the next write never completes (a hung network mount).
        hangNext: async () => faulty.hangNext('writeFile'),
        teardown: async () => faulty.release(),
      };
    },
  });
});

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-0001',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  to: [{ address: 'ana@mail.test', name: 'Ana' }],
  subject: 'New message: Order 42',
  text: 'Hello Ana',
  html: '<p>Hello Ana</p>',
  tags: ['new_message'],
  metadata: { store_id: 'acme' },
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<MessagingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return error;
}

const at = (iso: string) => () => new Date(iso);

describe('FileMailTransport files', () => {
  it('writes <timestamp>-<id>.eml, an RFC 5322 message with the Parley headers, readable by its owner only', async () => {
    const directory = await tempDirectory();
    const transport = new FileMailTransport({ directory, now: at('2026-11-22T02:15:30.123Z') });
    const result = await transport.send(email());
    expect(result).toEqual({ provider: 'file', providerMessageId: '20261122T021530.123Z-log-0001.eml' });
    expect(await fs.readdir(directory)).toEqual(['20261122T021530.123Z-log-0001.eml']);
    const path = join(directory, result.providerMessageId);
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    const raw = await fs.readFile(path, 'utf8');
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF line ends only
    const [got] = await readEmails(directory);
    expect(got).toMatchObject({
      from: 'shop@acme.test',
      fromName: 'Acme Shop',
      to: ['ana@mail.test'],
      subject: 'New message: Order 42',
      parleyId: 'log-0001',
    });
    expect(got?.headers).toMatchObject({
      'message-id': '<log-0001@acme.test>',
      'x-parley-email-id': 'log-0001',
      'x-parley-tags': 'new_message',
      'x-parley-meta-store_id': 'acme',
      'mime-version': '1.0',
    });
    expect(got?.headers.date).toBeDefined();
    expect(got?.text.trim()).toBe('Hello Ana');
    expect(got?.html?.trim()).toBe('<p>Hello Ana</p>');
  });

  it('creates the directory and keeps every file name inside it', async () => {
    const directory = join(await tempDirectory(), 'nested', 'mail');
    const transport = new FileMailTransport({ directory, now: at('2026-11-22T02:15:30.123Z') });
    const result = await transport.send(email({ id: '../../etc/passwd' }));
    expect(result.providerMessageId).toBe('20261122T021530.123Z-.._.._etc_passwd.eml');
    expect(await emlFiles(directory)).toEqual(['20261122T021530.123Z-.._.._etc_passwd.eml']);
    expect((await readEmails(directory))[0]?.parleyId).toBe('../../etc/passwd');
  });

  it('only ever shows a complete file: written under a temporary name, then renamed', async () => {
    const directory = await tempDirectory();
    const seen: string[][] = [];
    const spying = new FaultyFs();
    const fsWithRenameSpy: FileMailTransportFs = {
      mkdir: (p, o) => spying.mkdir(p, o),
      open: (p, f, m) => spying.open(p, f, m),
      rm: (p, o) => spying.rm(p, o),
      rename: async (from, to) => {
        seen.push(await fs.readdir(directory));
        expect((await fs.readFile(from, 'utf8')).length).toBeGreaterThan(100);
        await spying.rename(from, to);
      },
    };
    await new FileMailTransport({ directory, fs: fsWithRenameSpy, now: at('2026-11-22T02:15:30.123Z') }).send(
      email(),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]?.[0]).toMatch(/^\.[0-9a-f-]{36}\.eml\.tmp$/);
    expect(await fs.readdir(directory)).toEqual(['20261122T021530.123Z-log-0001.eml']);
    expect(spying.calls).toEqual(['mkdir', 'open', 'writeFile', 'rename']);
  });

  it.each([
    ['writeFile', 'ENOSPC', 'MAIL_RETRYABLE'],
    ['writeFile', 'EIO', 'MAIL_RETRYABLE'],
    ['rename', 'EBUSY', 'MAIL_RETRYABLE'],
    ['open', 'EACCES', 'MAIL_PERMANENT'],
    ['mkdir', 'EROFS', 'MAIL_PERMANENT'],
  ] as const)('a failing %s (%s) is %s and leaves no file behind', async (op, code, expected) => {
    const directory = await tempDirectory();
    const faulty = new FaultyFs();
    faulty.failNext(op, code);
    const error = await failure(new FileMailTransport({ directory, fs: faulty }).send(email()));
    expect(error.code).toBe(expected);
    expect(error.details).toEqual({ errno: code });
    expect(error.message).toMatch(
      new RegExp(`^could not write the email to .*-log-0001\\.eml \\(${code}\\)$`),
    );
    expect(await fs.readdir(directory)).toEqual([]);
  });

  it('a write that finishes after its timeout leaves no email behind', async () => {
    const directory = await tempDirectory();
    const faulty = new FaultyFs();
    faulty.hangNext('writeFile');
    const transport = new FileMailTransport({ directory, fs: faulty, timeoutMs: 1_000 });
    const error = await failure(transport.send(email()));
    expect([error.code, error.details]).toEqual(['MAIL_RETRYABLE', { errno: 'ETIMEDOUT' }]);
    faulty.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await fs.readdir(directory)).toEqual([]);
    await transport.send(email({ id: 'log-0002' }));
    expect((await readEmails(directory)).map((e) => e.parleyId)).toEqual(['log-0002']);
  });

  it('refuses invalid settings', () => {
    expect(() => new FileMailTransport({ directory: '' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', field: 'directory' }),
    );
    expect(() => new FileMailTransport({ directory: '/tmp/x', timeoutMs: 0 })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', field: 'timeoutMs' }),
    );
  });
});
