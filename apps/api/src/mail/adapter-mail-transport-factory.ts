import type { ConnectionOptions } from 'node:tls';
import { FileMailTransport } from '@parley/adapters-mail-file';
import { MailgunMailTransport } from '@parley/adapters-mail-mailgun';
import { SendGridMailTransport } from '@parley/adapters-mail-sendgrid';
import { SesMailTransport } from '@parley/adapters-mail-ses';
import { SmtpMailTransport } from '@parley/adapters-mail-smtp';
import type { MailTransport, MailTransportFactory, StoreMailTransportConfig } from '@parley/messaging-core';

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
        // The core's outbound guard checked `address` for this host: connect there, verify TLS
        // against the name.
        return new SmtpMailTransport({
          host: config.host,
          address: config.address,
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
