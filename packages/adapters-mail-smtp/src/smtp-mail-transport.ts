import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  type MailSendResult,
  type MailTransport,
  MessagingError,
  type OutboundEmail,
  prepareOutboundEmail,
} from '@parley/messaging-core';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { buildMailMessage } from './mail-message.js';
import { toSmtpMessagingError } from './smtp-errors.js';

export interface SmtpMailTransportConfig {
  /** Server host name or IP address: what TLS verifies the certificate against and messages name. */
  readonly host: string;
  /**
   * The IP address to connect to instead of resolving `host` (the address an outbound guard
   * checked, so DNS cannot answer differently between the check and the connection). `host`
   * still goes to TLS as the server name. Absent: nodemailer resolves `host` itself.
   */
  readonly address?: string;
  /** Server port: 465 for implicit TLS, 587 (or 25) for STARTTLS. */
  readonly port: number;
  /** Login; without it the transport does not authenticate. */
  readonly username?: string;
  readonly password?: string;
  /** Implicit TLS from the first byte (the `use_ssl` setting, port 465). Default `false`. */
  readonly secure?: boolean;
  /**
   * Refuse to send unless the server upgrades the connection with STARTTLS (the `use_tls`
   * setting). Default `false`: STARTTLS is still used when the server offers it.
   */
  readonly requireTLS?: boolean;
  /** Connections kept open to the server. Default 5. */
  readonly poolSize?: number;
  /** Messages sent over one connection before it is replaced. Default 100. */
  readonly maxMessagesPerConnection?: number;
  /** How long to wait for the TCP (and implicit TLS) connection. Default 10 000 ms. */
  readonly connectionTimeoutMs?: number;
  /** How long to wait for the server's greeting once connected. Default 10 000 ms. */
  readonly greetingTimeoutMs?: number;
  /** How long the connection may stay silent while a command waits for its reply. Default 60 000 ms. */
  readonly socketTimeoutMs?: number;
  /** Node TLS options, e.g. `{ ca }` for a private CA or `{ rejectUnauthorized: false }` in tests. */
  readonly tls?: ConnectionOptions;
  /** Host name sent in EHLO. Default: the machine's host name. */
  readonly clientName?: string;
  /** Right-hand side of the Message-ID. Default: the domain of the `from` address. */
  readonly messageIdDomain?: string;
}

const DEFAULTS = {
  poolSize: 5,
  maxMessagesPerConnection: 100,
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 60_000,
} as const;

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw MessagingError.validation(field, `${field} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Sends email over SMTP through one pooled nodemailer transporter. Create one instance per store
 * configuration (credentials are per instance, never shared) and `close()` it when that
 * configuration goes away.
 *
 * Every email carries `X-Parley-Email-Id: <id>`, a deterministic Message-ID `<id@from-domain>`,
 * `X-Parley-Tags` and one `X-Parley-Meta-<key>` header per metadata entry (see
 * `PARLEY_MAIL_HEADERS`). Failures are `MessagingError`s, `MAIL_RETRYABLE` or `MAIL_PERMANENT`
 * (see `isRetryableSmtpError`).
 *
 * @example
 * ```ts
 * const transport = new SmtpMailTransport({
 *   host: 'smtp.acme.test', port: 587, username: 'acme', password: secret, requireTLS: true,
 * });
 * const { providerMessageId } = await transport.send(email); // "<log-0001@acme.test>"
 * await transport.close();
 * ```
 */
export class SmtpMailTransport implements MailTransport {
  readonly provider = 'smtp';
  readonly #transporter: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;
  readonly #server: string;
  readonly #secrets: readonly string[];
  readonly #messageIdDomain: string | undefined;
  #closed = false;

  constructor(config: SmtpMailTransportConfig) {
    if (config.host.trim() === '') throw MessagingError.validation('host', 'host must not be empty');
    if (config.address !== undefined && isIP(config.address) === 0)
      throw MessagingError.validation('address', `address must be an IP address, got ${config.address}`);
    if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65_535)
      throw MessagingError.validation('port', `port must be between 1 and 65535, got ${config.port}`);
    this.#server = `${config.host}:${config.port}`;
    this.#secrets = config.password === undefined ? [] : [config.password];
    this.#messageIdDomain = config.messageIdDomain;
    const options: SMTPPool.Options & { pool: true } = {
      pool: true,
      host: config.address ?? config.host,
      ...(config.address === undefined || isIP(config.host) !== 0 ? {} : { servername: config.host }),
      port: config.port,
      secure: config.secure ?? false,
      requireTLS: config.requireTLS ?? false,
      maxConnections: positiveInteger(config.poolSize ?? DEFAULTS.poolSize, 'poolSize'),
      maxMessages: positiveInteger(
        config.maxMessagesPerConnection ?? DEFAULTS.maxMessagesPerConnection,
        'maxMessagesPerConnection',
      ),
      // No silent re-send on another connection when one drops mid-send: the failure goes back
      // (MAIL_RETRYABLE) and the mail queue, which owns retries and their backoff, decides.
      maxRequeues: 0,
      connectionTimeout: positiveInteger(
        config.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
        'connectionTimeoutMs',
      ),
      greetingTimeout: positiveInteger(
        config.greetingTimeoutMs ?? DEFAULTS.greetingTimeoutMs,
        'greetingTimeoutMs',
      ),
      socketTimeout: positiveInteger(config.socketTimeoutMs ?? DEFAULTS.socketTimeoutMs, 'socketTimeoutMs'),
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      ...(config.tls === undefined ? {} : { tls: config.tls }),
      ...(config.clientName === undefined ? {} : { name: config.clientName }),
      ...(config.username === undefined
        ? {}
        : { auth: { user: config.username, pass: config.password ?? '' } }),
    };
    this.#transporter = nodemailer.createTransport(options);
  }

  /**
   * Sends one email. Resolves once the server accepted it for at least one recipient; recipients
   * it refused while accepting others are not reported (a retry would duplicate the email for
   * the accepted ones).
   *
   * @example
   * ```ts
   * await transport.send({ id: 'log-1', from: { address: 'shop@acme.test' },
   *   to: [{ address: 'ana@mail.test' }], subject: 'New message', text: 'Hello' });
   * // { provider: 'smtp', providerMessageId: '<log-1@acme.test>' }
   * ```
   */
  async send(email: OutboundEmail): Promise<MailSendResult> {
    const message = buildMailMessage(
      prepareOutboundEmail(email),
      this.#messageIdDomain === undefined ? {} : { messageIdDomain: this.#messageIdDomain },
    );
    if (this.#closed)
      throw new MessagingError('MAIL_RETRYABLE', `SMTP transport for ${this.#server} is closed`);
    let info: SMTPPool.SentMessageInfo;
    try {
      info = await this.#transporter.sendMail(message);
    } catch (error) {
      throw toSmtpMessagingError(error, { server: this.#server, secrets: this.#secrets });
    }
    if (info.accepted.length === 0) {
      throw new MessagingError('MAIL_PERMANENT', `SMTP server ${this.#server} accepted no recipient`, {
        field: 'to',
        details: { rejected: info.rejected.map(String) },
      });
    }
    return { provider: this.provider, providerMessageId: info.messageId };
  }

  /**
   * Opens a connection, logs in and closes it: checks a store's settings before saving them.
   *
   * @example
   * ```ts
   * await new SmtpMailTransport(settings).verify(); // throws MAIL_PERMANENT on a refused login
   * ```
   */
  async verify(): Promise<void> {
    try {
      await this.#transporter.verify();
    } catch (error) {
      throw toSmtpMessagingError(error, { server: this.#server, secrets: this.#secrets });
    }
  }

  /**
   * Closes the pool: idle connections at once (QUIT), busy ones after their current message.
   * Later sends fail as `MAIL_RETRYABLE`.
   *
   * @example
   * ```ts
   * await transport.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#transporter.close();
  }
}
