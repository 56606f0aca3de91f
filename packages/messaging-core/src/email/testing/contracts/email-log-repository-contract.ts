import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../model/delivery-event.js';
import type { EmailLog } from '../../model/email-log.js';
import type { DeliveryEventReducer, EmailLogRepository } from '../../ports/email-log-repository.js';
import type { EmailLogRawReader } from './raw-readers.js';

export interface EmailLogRepositoryContractTarget {
  readonly logs: EmailLogRepository;
  readonly raw: EmailLogRawReader;
  readonly teardown?: () => Promise<void>;
}

export interface EmailLogRepositoryContractOptions {
  readonly name: string;
  readonly setup: () => Promise<EmailLogRepositoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

/** A pending log with every field set, for contract tests. */
export function sampleEmailLog(overrides: Partial<EmailLog> & { id: string }): EmailLog {
  return {
    templateCode: 'new_message',
    recipient: 'ana@example.com',
    subject: 'Hello',
    bodyHtml: '<p>Hi</p>',
    bodyText: 'Hi',
    fromEmail: 'shop@acme.test',
    fromName: 'Acme',
    replyTo: 'help@acme.test',
    status: 'pending',
    sentAt: null,
    deliveredAt: null,
    openedAt: null,
    clickedAt: null,
    bouncedAt: null,
    complainedAt: null,
    errorMessage: null,
    retryCount: 0,
    provider: null,
    providerMessageId: null,
    storeId: 'acme',
    userId: 'c-ana',
    relatedType: 'conversation',
    relatedId: 'conv-1',
    extraData: { locale: 'fr', nested: { list: [1, 'two', true, null] } },
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function event(overrides: Partial<DeliveryEvent> & { eventId: string }): DeliveryEvent {
  return {
    provider: 'sendgrid',
    type: 'delivered',
    occurredAt: at(100),
    emailId: null,
    providerMessageId: null,
    recipient: 'ana@example.com',
    detail: {},
    ...overrides,
  };
}

const markDelivered: DeliveryEventReducer = (log, e) => ({
  ...log,
  status: 'delivered',
  deliveredAt: e.occurredAt,
  updatedAt: at(500),
});

/**
 * The behaviour every `EmailLogRepository` adapter must show, checked through raw reads.
 *
 * @example
 * ```ts
 * emailLogRepositoryContract({ name: 'in-memory', setup: async () => { const l = new InMemoryEmailLogRepository(); return { logs: l, raw: l.raw }; } });
 * ```
 */
export function emailLogRepositoryContract(options: EmailLogRepositoryContractOptions): void {
  describe(`EmailLogRepository contract: ${options.name}`, () => {
    let target: EmailLogRepositoryContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('creates a log and reads it back field for field', async () => {
      const log = sampleEmailLog({ id: 'log-1' });
      await target.logs.create(log);
      expect(await target.raw.log('log-1')).toEqual(log);
      expect(await target.logs.findById('log-1')).toEqual(log);
      expect(await target.logs.findById('log-404')).toBeNull();
      const minimal = sampleEmailLog({
        id: 'log-2',
        templateCode: null,
        bodyHtml: null,
        fromName: null,
        replyTo: null,
        storeId: null,
        userId: null,
        relatedType: null,
        relatedId: null,
        extraData: {},
      });
      await target.logs.create(minimal);
      expect(await target.raw.log('log-2')).toEqual(minimal);
      expect(await target.raw.count()).toBe(2);
    });

    it('records a sent outcome, then finds the log by provider message id', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1' }));
      const sent = await target.logs.recordSendOutcome('log-1', {
        status: 'sent',
        provider: 'mailgun',
        providerMessageId: '2026.1@mg.acme.test',
        sentAt: at(5),
        updatedAt: at(6),
      });
      const expected = sampleEmailLog({
        id: 'log-1',
        status: 'sent',
        provider: 'mailgun',
        providerMessageId: '2026.1@mg.acme.test',
        sentAt: at(5),
        updatedAt: at(6),
      });
      expect(sent).toEqual(expected);
      expect(await target.raw.log('log-1')).toEqual(expected);
      expect(await target.logs.findByProviderMessageId('mailgun', '2026.1@mg.acme.test')).toEqual(expected);
      expect(await target.logs.findByProviderMessageId('sendgrid', '2026.1@mg.acme.test')).toBeNull();
    });

    it('records a failed outcome with the error and the attempt count', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1' }));
      await target.logs.recordSendOutcome('log-1', {
        status: 'failed',
        provider: 'smtp',
        errorMessage: '535 authentication failed',
        retryCount: 1,
        updatedAt: at(7),
      });
      expect(await target.raw.log('log-1')).toEqual(
        sampleEmailLog({
          id: 'log-1',
          status: 'failed',
          provider: 'smtp',
          errorMessage: '535 authentication failed',
          retryCount: 1,
          updatedAt: at(7),
        }),
      );
      await expect(
        target.logs.recordSendOutcome('log-404', {
          status: 'failed',
          provider: 'smtp',
          errorMessage: 'x',
          retryCount: 1,
          updatedAt: at(7),
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists newest first with filters and a keyset cursor', async () => {
      const rows = [
        sampleEmailLog({ id: 'log-a', createdAt: at(1), storeId: 'acme', recipient: 'Ana@Example.com' }),
        sampleEmailLog({ id: 'log-b', createdAt: at(2), storeId: 'acme', status: 'failed' }),
        sampleEmailLog({ id: 'log-c', createdAt: at(2), storeId: 'globex', recipient: 'bo@example.com' }),
        sampleEmailLog({ id: 'log-d', createdAt: at(3), storeId: null, status: 'failed' }),
        sampleEmailLog({ id: 'log-e', createdAt: at(4), storeId: 'acme' }),
      ];
      for (const row of rows) await target.logs.create(row);
      const ids = (list: EmailLog[]) => list.map((l) => l.id);
      expect(ids(await target.logs.list({ limit: 10 }))).toEqual([
        'log-e',
        'log-d',
        'log-c',
        'log-b',
        'log-a',
      ]);
      expect(ids(await target.logs.list({ limit: 10, storeId: 'acme' }))).toEqual([
        'log-e',
        'log-b',
        'log-a',
      ]);
      expect(ids(await target.logs.list({ limit: 10, status: 'failed' }))).toEqual(['log-d', 'log-b']);
      expect(ids(await target.logs.list({ limit: 10, recipient: 'ANA@example.COM' }))).toEqual([
        'log-e',
        'log-d',
        'log-b',
        'log-a',
      ]);
      expect(ids(await target.logs.list({ limit: 10, from: at(2), to: at(4) }))).toEqual([
        'log-d',
        'log-c',
        'log-b',
      ]);
      const first = await target.logs.list({ limit: 2 });
      expect(ids(first)).toEqual(['log-e', 'log-d']);
      const last = first.at(-1) as EmailLog;
      const second = await target.logs.list({ limit: 2, after: { createdAt: last.createdAt, id: last.id } });
      expect(ids(second)).toEqual(['log-c', 'log-b']);
      // Same createdAt as the cursor: only the smaller id follows.
      expect(ids(await target.logs.list({ limit: 5, after: { createdAt: at(2), id: 'log-c' } }))).toEqual([
        'log-b',
        'log-a',
      ]);
      expect(await target.logs.list({ limit: 5, storeId: 'nobody' })).toEqual([]);
    });

    it('applies an event matched by our id, records it, and treats a replay as a duplicate', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1', provider: 'sendgrid', status: 'sent' }));
      const first = await target.logs.applyEvent(
        event({ eventId: 'ev-1', emailId: 'log-1' }),
        markDelivered,
        at(400),
      );
      const delivered = sampleEmailLog({
        id: 'log-1',
        provider: 'sendgrid',
        status: 'delivered',
        deliveredAt: at(100),
        updatedAt: at(500),
      });
      expect(first).toEqual({ outcome: 'applied', log: delivered });
      expect(await target.raw.log('log-1')).toEqual(delivered);
      expect(await target.raw.processedEvents('log-1')).toEqual([
        { provider: 'sendgrid', eventId: 'ev-1', type: 'delivered', processedAt: at(400) },
      ]);
      const replay = await target.logs.applyEvent(
        event({ eventId: 'ev-1', emailId: 'log-1', occurredAt: at(50) }),
        (log) => ({ ...log, status: 'bounced' }),
        at(401),
      );
      expect(replay).toEqual({ outcome: 'duplicate', emailLogId: 'log-1' });
      expect(await target.raw.log('log-1')).toEqual(delivered);
      expect(await target.raw.processedEvents('log-1')).toHaveLength(1);
    });

    it('matches by provider message id when our id is absent or unknown', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1' }));
      await target.logs.recordSendOutcome('log-1', {
        status: 'sent',
        provider: 'ses',
        providerMessageId: 'ses-msg-1',
        sentAt: at(1),
        updatedAt: at(1),
      });
      const byProviderId = await target.logs.applyEvent(
        event({ eventId: 'ev-1', provider: 'ses', providerMessageId: 'ses-msg-1' }),
        markDelivered,
        at(400),
      );
      expect(byProviderId.outcome).toBe('applied');
      const unknownOurs = await target.logs.applyEvent(
        event({ eventId: 'ev-2', provider: 'ses', emailId: 'log-404', providerMessageId: 'ses-msg-1' }),
        (log) => ({ ...log, retryCount: 9 }),
        at(401),
      );
      expect(unknownOurs).toMatchObject({ outcome: 'applied', log: { id: 'log-1', retryCount: 9 } });
      // Another provider's id space does not match.
      expect(
        await target.logs.applyEvent(
          event({ eventId: 'ev-3', provider: 'sendgrid', providerMessageId: 'ses-msg-1' }),
          markDelivered,
          at(402),
        ),
      ).toEqual({ outcome: 'unmatched' });
    });

    it('records nothing for an unmatched event or one the reducer refuses', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1' }));
      expect(
        await target.logs.applyEvent(event({ eventId: 'ev-1', emailId: 'log-404' }), markDelivered, at(400)),
      ).toEqual({ outcome: 'unmatched' });
      expect(
        await target.logs.applyEvent(event({ eventId: 'ev-2', emailId: 'log-1' }), () => null, at(400)),
      ).toEqual({ outcome: 'unmatched' });
      expect(await target.raw.processedEvents('log-1')).toEqual([]);
      expect(await target.raw.log('log-1')).toEqual(sampleEmailLog({ id: 'log-1' }));
      // Now it applies: a refused or unmatched event was not remembered.
      expect(
        (await target.logs.applyEvent(event({ eventId: 'ev-2', emailId: 'log-1' }), markDelivered, at(401)))
          .outcome,
      ).toBe('applied');
    });

    it('applies concurrent events to one log without losing any, and a concurrent replay once', async () => {
      await target.logs.create(sampleEmailLog({ id: 'log-1' }));
      const bump: DeliveryEventReducer = (log) => ({ ...log, retryCount: log.retryCount + 1 });
      const distinct = Array.from({ length: 8 }, (_, i) =>
        target.logs.applyEvent(event({ eventId: `ev-${i}`, emailId: 'log-1' }), bump, at(400)),
      );
      const replays = Array.from({ length: 4 }, () =>
        target.logs.applyEvent(event({ eventId: 'ev-same', emailId: 'log-1' }), bump, at(400)),
      );
      const results = await Promise.all([...distinct, ...replays]);
      expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(9);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(3);
      expect((await target.raw.log('log-1'))?.retryCount).toBe(9);
      expect(await target.raw.processedEvents('log-1')).toHaveLength(9);
    });
  });
}
