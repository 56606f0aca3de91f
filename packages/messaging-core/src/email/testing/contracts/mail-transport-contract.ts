import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../../kernel/errors.js';
import type { MailTransport, OutboundEmail } from '../../ports/mail-transport.js';

/** What arrived at the provider's side, as the provider's protocol delivered it. */
export interface ReceivedEmail {
  readonly from: string;
  readonly fromName?: string;
  readonly to: readonly string[];
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Custom headers as received (lower-cased names). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Our email id as the provider carries it (custom_args, user-variables, tags, a header…). */
  readonly parleyId?: string;
}

export interface MailTransportContractTarget {
  readonly transport: MailTransport;
  /** Emails the far side accepted, oldest first (read from the local server, not the transport). */
  readonly received: () => Promise<ReceivedEmail[]>;
  /** The same transport configured with credentials the server refuses. */
  readonly withBadCredentials: () => Promise<MailTransport>;
  /** Makes the server refuse the next send as throttled (HTTP 429, SMTP 421/451). */
  readonly throttleNext: () => Promise<void>;
  /** Makes the server stop answering the next send, so the transport's timeout fires. */
  readonly hangNext: () => Promise<void>;
  /**
   * An address the server rejects as a recipient. Absent for transports that cannot reject one
   * (a file sink accepts every well-formed address): that case is then reported as skipped.
   */
  readonly rejectedRecipient?: string;
  readonly teardown?: () => Promise<void>;
}

export interface MailTransportContractOptions {
  readonly name: string;
  readonly setup: () => Promise<MailTransportContractTarget>;
}

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-0001',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  replyTo: { address: 'support@acme.test' },
  to: [{ address: 'ana@mail.test', name: 'Ana' }],
  subject: 'New message: Order 42',
  text: 'Hello Ana',
  html: '<p>Hello Ana</p>',
  headers: { 'X-Parley-Test': 'contract' },
  tags: ['new_message'],
  metadata: { store_id: 'acme' },
  ...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; field?: string | undefined }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return { code: error.code, field: error.field };
}

/**
 * The behaviour every `MailTransport` adapter must show, run against a local server that speaks
 * the provider's protocol (the in-memory transport simulates one).
 *
 * @example
 * ```ts
 * mailTransportContract({ name: 'smtp', setup: async () => startLocalSmtpTarget() });
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

    it('sends, and reports the provider and its message id', async () => {
      const result = await target.transport.send(email());
      expect(result.provider).toBe(target.transport.provider);
      expect(result.providerMessageId.length).toBeGreaterThan(0);
      const received = await target.received();
      expect(received.length).toBe(1);
      const got = received[0]!;
      expect(got).toMatchObject({
        from: 'shop@acme.test',
        to: ['ana@mail.test'],
        subject: 'New message: Order 42',
      });
      expect(got.text.trim()).toBe('Hello Ana');
      expect(got.html?.trim()).toBe('<p>Hello Ana</p>');
      expect(got.replyTo).toBe('support@acme.test');
      expect(got.fromName).toBe('Acme Shop');
      expect(got.parleyId).toBe('log-0001');
    });

    it('refuses an invalid address as a permanent failure, sending nothing', async () => {
      expect(await failureOf(target.transport.send(email({ to: [{ address: 'not an address' }] })))).toEqual({
        code: 'MAIL_PERMANENT',
        field: 'to[0]',
      });
      expect(await target.received()).toEqual([]);
    });

    it('cannot be made to inject headers', async () => {
      await target.transport.send(
        email({
          subject: 'Hi\r\nBcc: evil@attacker.test',
          from: { address: 'shop@acme.test', name: 'Acme\r\nX-Evil: 1' },
        }),
      );
      const [got] = await target.received();
      expect(got?.subject).toBe('Hi Bcc: evil@attacker.test');
      expect(got?.to).toEqual(['ana@mail.test']);
      expect(got?.headers?.['x-evil']).toBeUndefined();
    });

    it('reports refused credentials as permanent', async () => {
      const bad = await target.withBadCredentials();
      try {
        expect((await failureOf(bad.send(email()))).code).toBe('MAIL_PERMANENT');
      } finally {
        await bad.close?.();
      }
      expect(await target.received()).toEqual([]);
    });

    it('reports throttling as retryable', async () => {
      await target.throttleNext();
      expect((await failureOf(target.transport.send(email()))).code).toBe('MAIL_RETRYABLE');
      await target.transport.send(email({ id: 'log-0002' }));
      expect((await target.received()).map((e) => e.parleyId)).toEqual(['log-0002']);
    });

    it('reports a timeout as retryable', async () => {
      await target.hangNext();
      expect((await failureOf(target.transport.send(email()))).code).toBe('MAIL_RETRYABLE');
    });

    it('reports a rejected recipient as permanent', async (context) => {
      const rejected = target.rejectedRecipient;
      if (rejected === undefined) {
        context.skip(`${options.name} cannot reject a recipient`);
        return;
      }
      const failure = await failureOf(target.transport.send(email({ to: [{ address: rejected }] })));
      expect(failure.code).toBe('MAIL_PERMANENT');
    });
  });
}
