export interface MailAddress {
  readonly address: string;
  readonly name?: string;
}

export interface OutboundEmail {
  /** Our id for this email (the email log id); providers receive it as an idempotency/custom arg. */
  readonly id: string;
  readonly from: MailAddress;
  readonly replyTo?: MailAddress;
  readonly to: readonly MailAddress[];
  readonly subject: string;
  readonly html?: string;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface MailSendResult {
  readonly provider: string;
  readonly providerMessageId: string;
}

/**
 * Sends one email through one provider configuration. Failures are `MessagingError`s with code
 * `MAIL_RETRYABLE` (timeouts, 429, 5xx, SMTP 4xx) or `MAIL_PERMANENT` (auth, rejected
 * recipients, SMTP 5xx), so a queue knows whether to try again.
 *
 * @example
 * ```ts
 * const { providerMessageId } = await transport.send({
 *   id: 'log-1', from: { address: 'shop@example.com' }, to: [{ address: 'ana@example.com' }],
 *   subject: 'New message', text: 'Hello',
 * });
 * ```
 */
export interface MailTransport {
  /** Provider name recorded in the email log (`smtp`, `sendgrid`, `mailgun`, `ses`, `file`, `memory`). */
  readonly provider: string;
  send(email: OutboundEmail): Promise<MailSendResult>;
  /** Releases pooled connections. */
  close?(): Promise<void>;
}
