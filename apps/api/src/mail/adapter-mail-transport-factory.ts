import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { FileMailTransport } from '@parley/adapters-mail-file';
import { MailgunMailTransport } from '@parley/adapters-mail-mailgun';
import { SendGridMailTransport } from '@parley/adapters-mail-sendgrid';
import { SesMailTransport } from '@parley/adapters-mail-ses';
import { SmtpMailTransport } from '@parley/adapters-mail-smtp';
import {
  type MailTransport,
  type MailTransportFactory,
  MessagingError,
  type StoreMailTransportConfig,
} from '@parley/messaging-core';

/**
 * Where the provider APIs live. Production leaves every field absent (the providers' public
 * URLs, chosen by region). Tests point them at the local servers of the adapters' `./testing`
 * exports. Set by the host (composition root options), never from request input.
 */
export interface MailProviderEndpoints {
  readonly sendgridBaseUrl?: string;
  /** Replaces both regions' URLs. */
  readonly mailgunBaseUrl?: string;
  readonly sesEndpoint?: string;
  /** TLS options for store SMTP servers (e.g. a private CA). */
  readonly smtpTls?: ConnectionOptions;
  /** Per-send timeout for every provider, in milliseconds. */
  readonly timeoutMs?: number;
}

/** The platform's own transport: an SMTP server, or the `.eml` file sink. */
export type PlatformMailSettings =
  | {
      readonly kind: 'smtp';
      readonly host: string;
      readonly port: number;
      readonly secure: boolean;
      readonly username?: string;
      readonly password?: string;
    }
  | { readonly kind: 'file'; readonly directory: string };

export interface AdapterMailTransportFactoryConfig {
  readonly platform: PlatformMailSettings;
  readonly endpoints?: MailProviderEndpoints;
  /**
   * Let stores point SMTP at loopback, private, link-local or unspecified IP literals and
   * `localhost` (default false). A store's staff must not reach the platform's own network
   * through Parley; development and tests turn it on for local servers.
   */
  readonly allowPrivateSmtpHosts?: boolean;
}

const PRIVATE_IPV4 = [
  /^0\./,
  /^10\./,
  /^127\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

/** True for `localhost` and IP literals on loopback, private, link-local or unspecified ranges. */
export function isPrivateHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const bare = name.replace(/^\[(.*)\]$/, '$1');
  const version = isIP(bare);
  if (version === 4) return PRIVATE_IPV4.some((range) => range.test(bare));
  if (version === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
    if (mapped !== undefined) return PRIVATE_IPV4.some((range) => range.test(mapped));
    return bare === '::' || bare === '::1' || /^f[cd]/.test(bare) || /^fe[89ab]/.test(bare);
  }
  return false;
}

/**
 * The API's `MailTransportFactory`, over the adapter packages: one client per store
 * configuration (never an SDK singleton), reused while the store's configuration is unchanged;
 * a changed configuration closes the store's previous client (releasing SMTP pools).
 *
 * @example
 * ```ts
 * const transports = new AdapterMailTransportFactory({ platform: { kind: 'file', directory: config.mailDir } });
 * const transport = transports.forStore({ provider: 'sendgrid', storeId: 'acme', apiKey });
 * ```
 */
export class AdapterMailTransportFactory implements MailTransportFactory {
  readonly #config: AdapterMailTransportFactoryConfig;
  readonly #byStore = new Map<string, { key: string; transport: MailTransport }>();
  #platform: MailTransport | undefined;

  constructor(config: AdapterMailTransportFactoryConfig) {
    this.#config = config;
  }

  forStore(config: StoreMailTransportConfig): MailTransport {
    // Secrets are part of the key: it never leaves this process's memory.
    const key = JSON.stringify(config);
    const cached = this.#byStore.get(config.storeId);
    if (cached?.key === key) return cached.transport;
    const transport = this.#build(config);
    this.#byStore.set(config.storeId, { key, transport });
    if (cached) void cached.transport.close?.().catch(() => {});
    return transport;
  }

  platformDefault(): MailTransport {
    this.#platform ??= this.#buildPlatform();
    return this.#platform;
  }

  /** How many store clients are cached (for tests and metrics). */
  get cachedStoreTransports(): number {
    return this.#byStore.size;
  }

  /** Closes every client (server shutdown). */
  async close(): Promise<void> {
    const transports = [...this.#byStore.values()].map((c) => c.transport);
    if (this.#platform) transports.push(this.#platform);
    this.#byStore.clear();
    this.#platform = undefined;
    await Promise.allSettled(transports.map((t) => t.close?.()));
  }

  #build(config: StoreMailTransportConfig): MailTransport {
    const endpoints = this.#config.endpoints ?? {};
    const timeout = endpoints.timeoutMs === undefined ? {} : { timeoutMs: endpoints.timeoutMs };
    switch (config.provider) {
      case 'smtp':
        if (!this.#config.allowPrivateSmtpHosts && isPrivateHost(config.host))
          throw new MessagingError(
            'MAIL_PERMANENT',
            `smtp_host ${config.host} is a local or private address, which stores may not use`,
            { field: 'smtp_host' },
          );
        return new SmtpMailTransport({
          host: config.host,
          port: config.port,
          ...(config.username === null ? {} : { username: config.username }),
          ...(config.password === null ? {} : { password: config.password }),
          secure: config.useSsl,
          requireTLS: config.useTls,
          ...(endpoints.smtpTls === undefined ? {} : { tls: endpoints.smtpTls }),
          ...(endpoints.timeoutMs === undefined
            ? {}
            : { connectionTimeoutMs: endpoints.timeoutMs, socketTimeoutMs: endpoints.timeoutMs }),
        });
      case 'sendgrid':
        return new SendGridMailTransport({
          apiKey: config.apiKey,
          ...(endpoints.sendgridBaseUrl === undefined ? {} : { baseUrl: endpoints.sendgridBaseUrl }),
          ...timeout,
        });
      case 'mailgun':
        return new MailgunMailTransport({
          apiKey: config.apiKey,
          domain: config.domain,
          region: config.region,
          ...(endpoints.mailgunBaseUrl === undefined ? {} : { baseUrl: endpoints.mailgunBaseUrl }),
          ...timeout,
        });
      case 'ses':
        return new SesMailTransport({
          accessKeyId: config.accessKeyId,
          secretAccessKey: config.secretAccessKey,
          region: config.region,
          ...(endpoints.sesEndpoint === undefined ? {} : { endpoint: endpoints.sesEndpoint }),
          ...(endpoints.timeoutMs === undefined ? {} : { requestTimeoutMs: endpoints.timeoutMs }),
        });
    }
  }

  #buildPlatform(): MailTransport {
    const platform = this.#config.platform;
    if (platform.kind === 'file') return new FileMailTransport({ directory: platform.directory });
    return new SmtpMailTransport({
      host: platform.host,
      port: platform.port,
      secure: platform.secure,
      ...(platform.username === undefined ? {} : { username: platform.username }),
      ...(platform.password === undefined ? {} : { password: platform.password }),
    });
  }
}
