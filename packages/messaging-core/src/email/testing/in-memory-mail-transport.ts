import { MessagingError } from '../../kernel/errors.js';
import { prepareOutboundEmail } from '../model/outbound-email.js';
import type { MailSendResult, MailTransport, OutboundEmail } from '../ports/mail-transport.js';

export interface InMemoryMailTransportOptions {
  /** Recipients the simulated provider rejects (permanent failure). */
  readonly rejectRecipients?: readonly string[];
  /** When false, every send fails as a refused login (permanent failure). */
  readonly credentialsValid?: boolean;
}

/**
 * Keeps sent emails in a list and simulates a provider's failures, so queues and retries can be
 * tested without a server.
 *
 * @example
 * ```ts
 * const mail = new InMemoryMailTransport();
 * mail.throttleNext();
 * await mail.send(email).catch((e) => e.code); // "MAIL_RETRYABLE"
 * await mail.send(email);
 * mail.sent.length; // 1
 * ```
 */
export class InMemoryMailTransport implements MailTransport {
  readonly provider = 'memory';
  readonly sent: OutboundEmail[] = [];
  readonly #failures: MessagingError[] = [];
  readonly #options: InMemoryMailTransportOptions;
  #sequence = 0;

  constructor(options: InMemoryMailTransportOptions = {}) {
    this.#options = options;
  }

  /** The next send fails with this error instead of sending. */
  failNext(error: MessagingError): void {
    this.#failures.push(error);
  }

  /** The next send fails as throttled (retryable). */
  throttleNext(): void {
    this.failNext(new MessagingError('MAIL_RETRYABLE', 'memory provider: 429 too many requests'));
  }

  /** The next send fails as timed out (retryable). */
  hangNext(): void {
    this.failNext(new MessagingError('MAIL_RETRYABLE', 'memory provider: timed out'));
  }

  async send(email: OutboundEmail): Promise<MailSendResult> {
    const safe = prepareOutboundEmail(email);
    if (this.#options.credentialsValid === false) {
      throw new MessagingError('MAIL_PERMANENT', 'memory provider: invalid credentials');
    }
    const failure = this.#failures.shift();
    if (failure) throw failure;
    const rejected = safe.to.find((to) => this.#options.rejectRecipients?.includes(to.address));
    if (rejected)
      throw new MessagingError('MAIL_PERMANENT', `memory provider: recipient ${rejected.address} rejected`);
    this.sent.push(structuredClone(safe));
    this.#sequence += 1;
    return { provider: this.provider, providerMessageId: `memory-${this.#sequence}` };
  }
}
