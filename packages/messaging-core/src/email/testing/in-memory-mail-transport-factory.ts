import type { MailTransport } from '../ports/mail-transport.js';
import type { MailTransportFactory, StoreMailTransportConfig } from '../ports/mail-transport-factory.js';
import { InMemoryMailTransport } from './in-memory-mail-transport.js';

/**
 * Hands out in-memory transports: one per distinct store configuration (the same configuration
 * gets the same transport back), and one platform transport. `configs` records what the core
 * asked for, decrypted secrets included, so tests can check what a transport was built with.
 *
 * @example
 * ```ts
 * const transports = new InMemoryMailTransportFactory();
 * transports.platform.sent.length; // 0
 * ```
 */
export class InMemoryMailTransportFactory implements MailTransportFactory {
  readonly platform = new InMemoryMailTransport();
  readonly configs: StoreMailTransportConfig[] = [];
  readonly #byConfig = new Map<string, InMemoryMailTransport>();
  /** Transports for configurations whose credentials the simulated provider refuses. */
  readonly #refused = new Set<string>();

  /** Every transport built for this configuration refuses the credentials (permanent failure). */
  refuse(config: StoreMailTransportConfig): void {
    this.#refused.add(JSON.stringify(config));
  }

  forStore(config: StoreMailTransportConfig): MailTransport {
    this.configs.push(config);
    const key = JSON.stringify(config);
    let transport = this.#byConfig.get(key);
    if (!transport) {
      transport = new InMemoryMailTransport({ credentialsValid: !this.#refused.has(key) });
      Object.defineProperty(transport, 'provider', { value: config.provider });
      this.#byConfig.set(key, transport);
    }
    return transport;
  }

  /** The transport built for a configuration, if any. */
  transportFor(config: StoreMailTransportConfig): InMemoryMailTransport | undefined {
    return this.#byConfig.get(JSON.stringify(config));
  }

  platformDefault(): MailTransport {
    return this.platform;
  }
}
