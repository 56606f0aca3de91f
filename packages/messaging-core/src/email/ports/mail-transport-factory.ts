import type { MailgunRegion } from '../model/store-email-settings.js';
import type { MailTransport } from './mail-transport.js';

/** A store's provider configuration with its secrets decrypted, as only a transport sees it. */
export type StoreMailTransportConfig =
  | {
      readonly provider: 'smtp';
      readonly storeId: string;
      /** The host name the store set: TLS verifies the server's certificate against it. */
      readonly host: string;
      /**
       * The IP address to connect to: one the `OutboundAddressGuard` answered for `host` just
       * before. Never resolve `host` again to connect (DNS rebinding).
       */
      readonly address: string;
      readonly port: number;
      readonly username: string | null;
      readonly password: string | null;
      readonly useTls: boolean;
      readonly useSsl: boolean;
    }
  | { readonly provider: 'sendgrid'; readonly storeId: string; readonly apiKey: string }
  | {
      readonly provider: 'mailgun';
      readonly storeId: string;
      readonly apiKey: string;
      readonly domain: string;
      readonly region: MailgunRegion;
    }
  | {
      readonly provider: 'ses';
      readonly storeId: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly region: string;
    };

/**
 * Builds transports. Implemented by the host with the adapter packages; it should hand out one
 * client per store configuration (never an SDK's global singleton), reuse it while the
 * configuration is unchanged and close the old one when it changes.
 *
 * @example
 * ```ts
 * const transport = factory.forStore({ provider: 'sendgrid', storeId: 'acme', apiKey });
 * await transport.send(email);
 * ```
 */
export interface MailTransportFactory {
  forStore(config: StoreMailTransportConfig): MailTransport;
  /** The platform's own transport (config `PARLEY_SMTP_URL`, else a file sink). */
  platformDefault(): MailTransport;
}
