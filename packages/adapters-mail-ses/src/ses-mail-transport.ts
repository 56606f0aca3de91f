import type { SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSendResult, MailTransport, OutboundEmail } from '@parley/messaging-core';
import { MessagingError, prepareOutboundEmail } from '@parley/messaging-core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { toSesMessagingError } from './ses-error-classifier.js';
import { toSesSendEmailRequest } from './ses-message.js';

/** Default total time for one `SendEmail` call, connection included. */
export const SES_DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Default time to open the TCP/TLS connection to SES. */
export const SES_DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

/** One store's SES configuration. Credentials are always explicit: nothing is read from the environment. */
export interface SesMailTransportConfig {
  /** IAM access key id allowed to call `ses:SendEmail`. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary (STS) credentials only. */
  readonly sessionToken?: string;
  /** The SES region, e.g. `eu-west-1`; it picks the endpoint (`https://email.eu-west-1.amazonaws.com`) and the signing scope. */
  readonly region: string;
  /** Sent as `ConfigurationSetName` (event publishing, dedicated IPs, suppression overrides). */
  readonly configurationSetName?: string;
  /** Overrides the endpoint, e.g. `http://127.0.0.1:4566` for a local SES server in tests. */
  readonly endpoint?: string;
  /** Total time for one send before it fails as `MAIL_RETRYABLE`. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Time to establish the connection. Default 3 000 ms. */
  readonly connectionTimeoutMs?: number;
}

function required(value: string, field: string): string {
  if (value.trim() === '') {
    throw new MessagingError('VALIDATION', `SES ${field} must not be empty`, { field });
  }
  return value;
}

/**
 * The `SESv2Client` configuration for one store: explicit static credentials, an explicit region,
 * no endpoint, FIPS, dual-stack, auth-scheme or retry setting taken from the environment or
 * `~/.aws`, and `maxAttempts: 1` — the SDK never retries, Parley's queue does (it knows the
 * email-log state and applies backoff across process restarts; SDK retries underneath would
 * multiply attempts and could send twice after a timeout).
 *
 * @example
 * ```ts
 * const client = new SESv2Client(createSesClientConfig({ accessKeyId, secretAccessKey, region: 'eu-west-1' }));
 * ```
 */
export function createSesClientConfig(config: SesMailTransportConfig): SESv2ClientConfig {
  const region = required(config.region, 'region');
  return {
    region,
    credentials: {
      accessKeyId: required(config.accessKeyId, 'accessKeyId'),
      secretAccessKey: required(config.secretAccessKey, 'secretAccessKey'),
      ...(config.sessionToken === undefined ? {} : { sessionToken: config.sessionToken }),
    },
    // Only reached if `credentials` were missing: never fall back to env / profile / instance roles.
    credentialDefaultProvider: () => async () => {
      throw new MessagingError('MAIL_PERMANENT', 'ses: no explicit credentials configured');
    },
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    authSchemePreference: ['sigv4'],
    sigv4aSigningRegionSet: [region],
    defaultsMode: 'standard',
    maxAttempts: 1,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs ?? SES_DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: config.requestTimeoutMs ?? SES_DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the SDK only logs a warning when `requestTimeout` passes.
      throwOnRequestTimeout: true,
    }),
  };
}

/**
 * Sends Parley's emails through Amazon SES (API v2, `SendEmail` with `Content.Simple`). One
 * instance per store configuration, each with its own `SESv2Client` and credentials; the SDK does
 * no retries (`maxAttempts: 1`), so every failure reaches the caller at once as `MAIL_RETRYABLE`
 * or `MAIL_PERMANENT` and the queue decides.
 *
 * Our email-log id travels as the message tag `parley_email_id` (sanitized to SES's tag charset)
 * and, unchanged, as the `X-Parley-Email-Id` header; the email's tags and metadata become message
 * tags too.
 *
 * @example
 * ```ts
 * const transport = new SesMailTransport({
 *   accessKeyId: store.sesAccessKeyId, secretAccessKey: store.sesSecret, region: 'eu-west-1',
 *   configurationSetName: 'parley-events',
 * });
 * const { providerMessageId } = await transport.send(email); // SES MessageId
 * await transport.close();
 * ```
 */
export class SesMailTransport implements MailTransport {
  readonly provider = 'ses';
  readonly #client: SESv2Client;
  readonly #configurationSetName: string | undefined;

  constructor(config: SesMailTransportConfig) {
    this.#client = new SESv2Client(createSesClientConfig(config));
    this.#configurationSetName = config.configurationSetName;
  }

  /**
   * Validates and sends one email.
   *
   * @example
   * ```ts
   * await transport.send({ id: 'log-1', from: { address: 'shop@acme.test' }, to: [{ address: 'ana@mail.test' }], subject: 'Hi', text: 'Hello' });
   * // { provider: 'ses', providerMessageId: '0102018f…-000000' }
   * ```
   */
  async send(email: OutboundEmail): Promise<MailSendResult> {
    const input = toSesSendEmailRequest(prepareOutboundEmail(email), {
      ...(this.#configurationSetName === undefined
        ? {}
        : { configurationSetName: this.#configurationSetName }),
    });
    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.#client.send(new SendEmailCommand(input)));
    } catch (error) {
      throw toSesMessagingError(error);
    }
    if (messageId === undefined || messageId === '') {
      throw new MessagingError('INTERNAL', 'ses: SendEmail succeeded without a MessageId', {
        details: { provider: 'ses' },
      });
    }
    return { provider: this.provider, providerMessageId: messageId };
  }

  /**
   * Closes the client's pooled connections.
   *
   * @example
   * ```ts
   * await transport.close();
   * ```
   */
  async close(): Promise<void> {
    this.#client.destroy();
  }
}
