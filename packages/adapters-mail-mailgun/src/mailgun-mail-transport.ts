import type { MailAddress, MailSendResult, MailTransport, OutboundEmail } from '@parley/messaging-core';
import { MessagingError, prepareOutboundEmail } from '@parley/messaging-core';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import type { MailgunMessageContent, MailgunMessageData, MessagesSendResult } from 'mailgun.js/definitions';
import { classifyMailgunError } from './mailgun-errors.js';
import { type MailgunEndpointConfig, mailgunBaseUrl } from './mailgun-region.js';

/** The user-variable (`v:` field) that carries our email-log id; Mailgun echoes it in webhooks. */
export const MAILGUN_PARLEY_ID_VARIABLE = 'parley-email-id';

/** Default request timeout: a send that gets no answer within it fails as `MAIL_RETRYABLE`. */
export const MAILGUN_DEFAULT_TIMEOUT_MS = 10_000;

const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export interface MailgunMailTransportConfig extends MailgunEndpointConfig {
  /** The store's Mailgun private API key, used by this transport's own client only. */
  readonly apiKey: string;
  /** The sending domain configured in Mailgun (`mg.acme.com`): requests go to `/v3/<domain>/messages`. */
  readonly domain: string;
  /** Request timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
}

type MailgunClient = ReturnType<Mailgun['client']>;

/** Mailgun needs text or html; an empty text part is left out when there is HTML. */
function mailgunContent(email: OutboundEmail): MailgunMessageContent {
  if (email.html === undefined) return { text: email.text };
  return email.text === '' ? { html: email.html } : { text: email.text, html: email.html };
}

/**
 * An address as a `from`/`to`/`h:Reply-To` value: `"Name" <address>`, the name always quoted (so
 * a comma or colon in it cannot split or reshape the address list) with `"` and `\` escaped.
 *
 * @example
 * ```ts
 * formatMailgunAddress({ address: 'ana@mail.test', name: 'Doe, Ana' }); // '"Doe, Ana" <ana@mail.test>'
 * ```
 */
export function formatMailgunAddress(address: MailAddress): string {
  if (address.name === undefined) return address.address;
  return `"${address.name.replace(/["\\]/g, '\\$&')}" <${address.address}>`;
}

/**
 * Sends email through Mailgun's Messages API with the official `mailgun.js` SDK. Each transport
 * owns its own client (`new Mailgun(FormData).client(…)`), so one store's API key and domain never
 * send another store's mail.
 *
 * Our email-log id travels as the user-variable `v:parley-email-id` (with `metadata` as further
 * `v:` variables), `tags` as `o:tag`, custom headers as `h:<Name>`, the reply-to as `h:Reply-To`.
 * Failures are `MessagingError`s, `MAIL_RETRYABLE` or `MAIL_PERMANENT` (see `classifyMailgunError`).
 *
 * @example
 * ```ts
 * const transport = new MailgunMailTransport({ apiKey: store.mailgunKey, domain: 'mg.acme.com', region: 'eu' });
 * const { providerMessageId } = await transport.send({
 *   id: 'log-1', from: { address: 'shop@mg.acme.com' }, to: [{ address: 'ana@example.com' }],
 *   subject: 'New message', text: 'Hello',
 * });
 * ```
 */
export class MailgunMailTransport implements MailTransport {
  readonly provider = 'mailgun';
  readonly #client: MailgunClient;
  readonly #domain: string;

  constructor(config: MailgunMailTransportConfig) {
    if (config.apiKey.trim() === '') throw new Error('MailgunMailTransport: apiKey is empty');
    if (!DOMAIN.test(config.domain))
      throw new Error(
        `MailgunMailTransport: domain must be a host name, got ${JSON.stringify(config.domain)}`,
      );
    const timeoutMs = config.timeoutMs ?? MAILGUN_DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new Error(`MailgunMailTransport: timeoutMs must be a positive integer, got ${timeoutMs}`);
    this.#domain = config.domain;
    this.#client = new Mailgun(FormData).client({
      username: 'api',
      key: config.apiKey,
      url: mailgunBaseUrl(config),
      timeout: timeoutMs,
    });
  }

  /**
   * Validates the email (`prepareOutboundEmail`), posts it as multipart/form-data to
   * `/v3/<domain>/messages` and returns Mailgun's message id (the response `id` without its angle
   * brackets, as Mailgun's webhooks report it) as `providerMessageId`.
   *
   * @example
   * ```ts
   * await transport.send(email); // { provider: 'mailgun', providerMessageId: '20250101….1@mg.acme.com' }
   * ```
   */
  async send(email: OutboundEmail): Promise<MailSendResult> {
    const safe = prepareOutboundEmail(email);
    const data: MailgunMessageData = {
      from: formatMailgunAddress(safe.from),
      to: safe.to.map(formatMailgunAddress),
      subject: safe.subject,
      ...mailgunContent(safe),
      ...(safe.replyTo === undefined ? {} : { 'h:Reply-To': formatMailgunAddress(safe.replyTo) }),
      ...(safe.tags === undefined || safe.tags.length === 0 ? {} : { 'o:tag': [...safe.tags] }),
      ...Object.fromEntries(Object.entries(safe.headers ?? {}).map(([name, value]) => [`h:${name}`, value])),
      ...Object.fromEntries(Object.entries(safe.metadata ?? {}).map(([key, value]) => [`v:${key}`, value])),
      [`v:${MAILGUN_PARLEY_ID_VARIABLE}`]: safe.id,
    };
    let result: MessagesSendResult;
    try {
      result = await this.#client.messages.create(this.#domain, data);
    } catch (error) {
      throw classifyMailgunError(error);
    }
    const providerMessageId = result.id?.trim().replace(/^<(.*)>$/, '$1');
    if (!providerMessageId) {
      // Accepted, so retrying would send it twice: report it, but not as a mail failure.
      throw new MessagingError(
        'INTERNAL',
        `Mailgun accepted email ${safe.id} (HTTP ${result.status}) but returned no message id`,
        { details: { provider: this.provider, status: result.status, accepted: true } },
      );
    }
    return { provider: this.provider, providerMessageId };
  }

  /** Nothing to release: the SDK opens a connection per request. */
  async close(): Promise<void> {}
}
