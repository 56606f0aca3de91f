import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../errors.js';
import type { MailTransport, OutboundEmail } from '../../ports/mail-transport.js';

/** What arrived at the provider's side, as the provider's protocol delivered it. */
export interface ReceivedEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface MailTransportContractTarget {
  readonly transport: MailTransport;
  /** Emails the far side received, oldest first (read from the local server, not the transport). */
  readonly received: () => Promise<ReceivedEmail[]>;
  readonly teardown?: () => Promise<void>;
}

export interface MailTransportContractOptions {
  readonly name: string;
  readonly setup: () => Promise<MailTransportContractTarget>;
}

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-1',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  to: [{ address: 'ana@mail.test', name: 'Ana' }],
  subject: 'New message: Order 42',
  text: 'Hello Ana',
  html: '<p>Hello Ana</p>',
  ...overrides,
});

/**
 * The behaviour every `MailTransport` adapter must show. Provider adapters run it against a
 * local server speaking the provider's protocol.
 *
 * @example
 * ```ts
 * mailTransportContract({ name: 'in-memory', setup: async () => { const t = new InMemoryMailTransport(); return { transport: t, received: async () => t.sent.map(...) }; } });
 * ```
 */
export function mailTransportContract(options: MailTransportContractOptions): void {
  describe(`MailTransport contract: ${options.name}`, () => {
    let target: MailTransportContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('sends and reports the provider and its message id', async () => {
      const result = await target.transport.send(email());
      expect(result.provider).toBe(target.transport.provider);
      expect(result.providerMessageId.length).toBeGreaterThan(0);
      const received = await target.received();
      expect(received.length).toBe(1);
      expect(received[0]).toMatchObject({
        from: 'shop@acme.test',
        to: ['ana@mail.test'],
        subject: 'New message: Order 42',
      });
      expect(received[0]?.text.trim()).toBe('Hello Ana');
    });

    it('refuses an invalid recipient address as a permanent failure, sending nothing', async () => {
      const error = await target.transport
        .send(email({ to: [{ address: 'not an address' }] }))
        .catch((e: unknown) => e);
      expect(isMessagingError(error) && error.code).toBe('MAIL_PERMANENT');
      expect(await target.received()).toEqual([]);
    });
  });
}
