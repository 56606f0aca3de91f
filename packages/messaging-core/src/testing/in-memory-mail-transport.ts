import { MessagingError } from '../errors.js';
import type { MailSendResult, MailTransport, OutboundEmail } from '../ports/mail-transport.js';
import { assertValidEmail } from '../support/email-address.js';

/**
 * Keeps sent emails in a list. Queue failures with `failNext` to exercise retries.
 *
 * @example
 * ```ts
 * const mail = new InMemoryMailTransport();
 * await mail.send(email);
 * mail.sent[0]?.subject;
 * ```
 */
export class InMemoryMailTransport implements MailTransport {
  readonly provider = 'memory';
  readonly sent: OutboundEmail[] = [];
  readonly #failures: MessagingError[] = [];
  #sequence = 0;

  /** The next send fails with this error instead of sending. */
  failNext(error: MessagingError): void {
    this.#failures.push(error);
  }

  async send(email: OutboundEmail): Promise<MailSendResult> {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    if (email.to.length === 0)
      throw new MessagingError('MAIL_PERMANENT', 'email has no recipient', { field: 'to' });
    for (const address of [email.from, ...email.to, ...(email.replyTo ? [email.replyTo] : [])]) {
      assertValidEmail(address.address, 'MAIL_PERMANENT');
    }
    this.sent.push(structuredClone(email));
    this.#sequence += 1;
    return { provider: this.provider, providerMessageId: `memory-${this.#sequence}` };
  }
}
