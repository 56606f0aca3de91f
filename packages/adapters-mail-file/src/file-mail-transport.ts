import { randomUUID } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { buildMailMessage } from '@parley/adapters-mail-smtp';
import {
  type MailSendResult,
  type MailTransport,
  MessagingError,
  type OutboundEmail,
  prepareOutboundEmail,
} from '@parley/messaging-core';
import MailComposer from 'nodemailer/lib/mail-composer';
import { toFileMessagingError } from './file-mail-errors.js';

/** The file handle operations `FileMailTransport` uses (`FileHandle` from `node:fs/promises`). */
export interface FileMailTransportFileHandle {
  writeFile(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The filesystem operations `FileMailTransport` uses; `node:fs/promises` is one. */
export interface FileMailTransportFs {
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  open(path: string, flags: 'wx', mode: number): Promise<FileMailTransportFileHandle>;
  rename(oldPath: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
}

export interface FileMailTransportConfig {
  /** Where the `.eml` files go; created when missing. */
  readonly directory: string;
  /** Filesystem to write with. Default `node:fs/promises`. */
  readonly fs?: FileMailTransportFs;
  /** Clock for file names. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** How long one write may take before the send fails as `MAIL_RETRYABLE`. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Permissions of the files (they hold personal data). Default `0o600`. */
  readonly fileMode?: number;
  /** Right-hand side of the Message-ID. Default: the domain of the `from` address. */
  readonly messageIdDomain?: string;
}

/** `20261122T021530.123Z`: sorts by time, no colon (valid on every filesystem). */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/**
 * The id as a file name part: `[A-Za-z0-9._-]` only (no separator, so `..` stays a name and the
 * timestamp prefix keeps it from being hidden), at most 100 characters.
 */
function fileSafe(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return safe === '' ? 'email' : safe;
}

/**
 * The embedded default `MailTransport`: writes each email as an RFC 5322 `.eml` file
 * (`<timestamp>-<id>.eml`, composed by nodemailer with the same headers `SmtpMailTransport`
 * sends) into a directory. A file appears whole or not at all: it is written to a temporary name
 * in the same directory, flushed, then renamed. `providerMessageId` is the file name.
 *
 * The file sink refuses no recipient and has no credentials: failures are the filesystem's
 * (`EACCES`, `ENOTDIR`… → `MAIL_PERMANENT`; `ENOSPC`, `EIO`, `EAGAIN`, a write slower than
 * `timeoutMs`… → `MAIL_RETRYABLE`).
 *
 * @example
 * ```ts
 * const transport = new FileMailTransport({ directory: './data/mail' });
 * const { providerMessageId } = await transport.send(email);
 * // "20261122T021530.123Z-log-0001.eml", readable by any mail client
 * ```
 */
export class FileMailTransport implements MailTransport {
  readonly provider = 'file';
  readonly #directory: string;
  readonly #fs: FileMailTransportFs;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  readonly #fileMode: number;
  readonly #messageIdDomain: string | undefined;

  constructor(config: FileMailTransportConfig) {
    if (config.directory.trim() === '')
      throw MessagingError.validation('directory', 'directory must not be empty');
    const timeoutMs = config.timeoutMs ?? 30_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw MessagingError.validation('timeoutMs', `timeoutMs must be a positive integer, got ${timeoutMs}`);
    this.#directory = config.directory;
    this.#fs = config.fs ?? nodeFs;
    this.#now = config.now ?? (() => new Date());
    this.#timeoutMs = timeoutMs;
    this.#fileMode = config.fileMode ?? 0o600;
    this.#messageIdDomain = config.messageIdDomain;
  }

  /**
   * Composes the email and writes it as `<timestamp>-<id>.eml`.
   *
   * @example
   * ```ts
   * await transport.send({ id: 'log-1', from: { address: 'shop@acme.test' },
   *   to: [{ address: 'ana@mail.test' }], subject: 'New message', text: 'Hello' });
   * // { provider: 'file', providerMessageId: '20261122T021530.123Z-log-1.eml' }
   * ```
   */
  async send(email: OutboundEmail): Promise<MailSendResult> {
    const safe = prepareOutboundEmail(email);
    const message = buildMailMessage(
      safe,
      this.#messageIdDomain === undefined ? {} : { messageIdDomain: this.#messageIdDomain },
    );
    const raw = await new MailComposer(message).compile().build();
    const name = `${timestamp(this.#now())}-${fileSafe(safe.id)}.eml`;
    const path = join(this.#directory, name);
    const abort = new AbortController();
    const writing = this.#write(path, raw, abort.signal);
    // A write that outlives the timeout goes on in the background, sees the abort before the
    // rename and removes its temporary file: a send reported as failed leaves no email behind.
    writing.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(
          Object.assign(new Error(`write timed out after ${this.#timeoutMs} ms`), { code: 'ETIMEDOUT' }),
        );
      }, this.#timeoutMs);
    });
    try {
      await Promise.race([writing, timeout]);
    } catch (error) {
      throw toFileMessagingError(error, path);
    } finally {
      clearTimeout(timer);
    }
    return { provider: this.provider, providerMessageId: name };
  }

  async #write(path: string, raw: Buffer, signal: AbortSignal): Promise<void> {
    const temporary = join(this.#directory, `.${randomUUID()}.eml.tmp`);
    let opened = false;
    try {
      await this.#fs.mkdir(this.#directory, { recursive: true });
      signal.throwIfAborted();
      const handle = await this.#fs.open(temporary, 'wx', this.#fileMode);
      opened = true;
      try {
        signal.throwIfAborted();
        await handle.writeFile(raw);
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal.throwIfAborted();
      await this.#fs.rename(temporary, path);
    } catch (error) {
      if (opened) await this.#fs.rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  }
}
