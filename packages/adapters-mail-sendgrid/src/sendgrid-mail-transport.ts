import type { MailAddress, MailSendResult, MailTransport, OutboundEmail } from '@parley/messaging-core';
import { MessagingError, prepareOutboundEmail } from '@parley/messaging-core';
import { classifySendGridError } from './sendgrid-errors.js';
import {
  createSendGridMailService,
  type SendGridClientResponse,
  type SendGridMailService,
} from './sendgrid-sdk.js';

/** The `custom_args` key that carries our email-log id; SendGrid echoes it in every event webhook. */
export const SENDGRID_PARLEY_ID_ARG = 'parley_email_id';

/** Default request timeout: a send that gets no answer within it fails as `MAIL_RETRYABLE`. */
export const SENDGRID_DEFAULT_TIMEOUT_MS = 10_000;

export interface SendGridMailTransportConfig {
  /** The store's SendGrid API key (`SG.…`), used by this transport's own client only. */
  readonly apiKey: string;
  /**
   * API base URL; defaults to SendGrid's (`https://api.sendgrid.com/`). Tests point it at a local
   * server (see `startLocalSendGridServer` in `@parley/adapters-mail-sendgrid/testing`).
   */
  readonly baseUrl?: string;
  /** Request timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
}

interface SendGridAddress {
  email: string;
  name?: string;
}

function sendGridAddress(address: MailAddress): SendGridAddress {
  return address.name === undefined
    ? { email: address.address }
    : { email: address.address, name: address.name };
}

/** SendGrid refuses a personalization naming one address twice (case-insensitively). */
function uniqueRecipients(to: readonly MailAddress[]): MailAddress[] {
  const seen = new Set<string>();
  return to.filter((recipient) => {
    const key = recipient.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface SendGridContent {
  type: 'text/plain' | 'text/html';
  value: string;
}

/**
 * SendGrid wants text/plain first, then text/html, and refuses an empty value: the text part is
 * left out when it is empty and there is HTML.
 */
function sendGridContent(email: OutboundEmail): [SendGridContent, ...SendGridContent[]] {
  const text: SendGridContent = { type: 'text/plain', value: email.text };
  if (email.html === undefined) return [text];
  const html: SendGridContent = { type: 'text/html', value: email.html };
  return email.text === '' ? [html] : [text, html];
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Sends email through SendGrid's v3 Mail Send API with the official `@sendgrid/mail` SDK. Each
 * transport owns its own `MailService` and `Client`, so one store's API key never sends another
 * store's mail (the SDK's default export is a process-wide singleton, never used here).
 *
 * Our email-log id travels in `custom_args.parley_email_id` (with `metadata` beside it), `tags` as
 * `categories`, custom headers in `headers`. Failures are `MessagingError`s, `MAIL_RETRYABLE` or
 * `MAIL_PERMANENT` (see `classifySendGridError`).
 *
 * @example
 * ```ts
 * const transport = new SendGridMailTransport({ apiKey: store.sendgridApiKey });
 * const { providerMessageId } = await transport.send({
 *   id: 'log-1', from: { address: 'shop@example.com' }, to: [{ address: 'ana@example.com' }],
 *   subject: 'New message', text: 'Hello',
 * });
 * ```
 */
export class SendGridMailTransport implements MailTransport {
  readonly provider = 'sendgrid';
  readonly #mail: SendGridMailService;

  constructor(config: SendGridMailTransportConfig) {
    if (config.apiKey.trim() === '') throw new Error('SendGridMailTransport: apiKey is empty');
    const timeoutMs = config.timeoutMs ?? SENDGRID_DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new Error(`SendGridMailTransport: timeoutMs must be a positive integer, got ${timeoutMs}`);
    const { mail, client } = createSendGridMailService();
    // setApiKey resets the base URL to SendGrid's, so the override comes after it.
    client.setApiKey(config.apiKey);
    if (config.baseUrl !== undefined) client.setDefaultRequest('baseUrl', config.baseUrl);
    // The SDK's typed wrapper for client.setDefaultRequest('timeout', timeoutMs).
    mail.setTimeout(timeoutMs);
    this.#mail = mail;
  }

  /**
   * Validates the email (`prepareOutboundEmail`), posts it to `/v3/mail/send` and returns
   * SendGrid's `X-Message-Id` as `providerMessageId`.
   *
   * @example
   * ```ts
   * await transport.send(email); // { provider: 'sendgrid', providerMessageId: 'W9uYdx1lQ…' }
   * ```
   */
  async send(email: OutboundEmail): Promise<MailSendResult> {
    const safe = prepareOutboundEmail(email);
    const data = {
      from: sendGridAddress(safe.from),
      ...(safe.replyTo === undefined ? {} : { replyTo: sendGridAddress(safe.replyTo) }),
      to: uniqueRecipients(safe.to).map(sendGridAddress),
      subject: safe.subject,
      content: sendGridContent(safe),
      ...(safe.headers === undefined ? {} : { headers: { ...safe.headers } }),
      ...(safe.tags === undefined || safe.tags.length === 0 ? {} : { categories: [...safe.tags] }),
      customArgs: { ...safe.metadata, [SENDGRID_PARLEY_ID_ARG]: safe.id },
    };
    let response: SendGridClientResponse;
    try {
      [response] = await this.#mail.send(data);
    } catch (error) {
      throw classifySendGridError(error);
    }
    const providerMessageId = header(response.headers, 'x-message-id');
    if (providerMessageId === undefined) {
      // Accepted, so retrying would send it twice: report it, but not as a mail failure.
      throw new MessagingError(
        'INTERNAL',
        `SendGrid accepted email ${safe.id} (HTTP ${response.statusCode}) but sent no X-Message-Id header`,
        { details: { provider: this.provider, status: response.statusCode, accepted: true } },
      );
    }
    return { provider: this.provider, providerMessageId };
  }

  /** Nothing to release: the SDK opens a connection per request. */
  async close(): Promise<void> {}
}
