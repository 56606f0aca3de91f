import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import type { DeliveryEvent, DeliveryEventType } from '../model/delivery-event.js';
import type { EmailLog, EmailStatus } from '../model/email-log.js';
import { sampleEmailLog } from '../testing/contracts/email-log-repository-contract.js';
import { InMemoryEmailLogRepository } from '../testing/in-memory-email-log-repository.js';
import { applyDeliveryEvents } from './apply-delivery-events.js';

const t = (minutes: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minutes * 60_000);
const NOW = t(1000);

function sentLog(overrides: Partial<EmailLog> = {}): EmailLog {
  return sampleEmailLog({
    id: 'log-1',
    status: 'sent',
    provider: 'sendgrid',
    providerMessageId: 'sg-msg-1',
    sentAt: t(0),
    extraData: {},
    ...overrides,
  });
}

function ev(
  type: DeliveryEventType,
  minute: number,
  eventId = `${type}-${minute}`,
  extra: Partial<DeliveryEvent> = {},
): DeliveryEvent {
  return {
    provider: 'sendgrid',
    eventId,
    type,
    occurredAt: t(minute),
    emailId: 'log-1',
    providerMessageId: 'sg-msg-1',
    recipient: 'ana@example.com',
    detail: {},
    ...extra,
  };
}

async function setup(log: EmailLog = sentLog()) {
  const logs = new InMemoryEmailLogRepository();
  await logs.create(log);
  const deps = { emailLogs: logs, clock: new FixedClock(NOW) };
  return { logs, run: (events: DeliveryEvent[]) => applyDeliveryEvents(deps, events) };
}

describe('applyDeliveryEvents', () => {
  it.each<[string, DeliveryEvent[], Partial<EmailLog>]>([
    ['delivered', [ev('delivered', 1)], { status: 'delivered', deliveredAt: t(1) }],
    [
      'delivered then opened',
      [ev('delivered', 1), ev('opened', 2)],
      { status: 'opened', deliveredAt: t(1), openedAt: t(2) },
    ],
    [
      'a late delivered never overwrites opened',
      [ev('opened', 2), ev('delivered', 1)],
      { status: 'opened', deliveredAt: t(1), openedAt: t(2) },
    ],
    [
      'clicked then opened stays clicked',
      [ev('clicked', 3), ev('opened', 2)],
      { status: 'clicked', openedAt: t(2), clickedAt: t(3) },
    ],
    [
      'bounced after opened is recorded',
      [ev('opened', 2), ev('bounced', 5)],
      { status: 'bounced', openedAt: t(2), bouncedAt: t(5) },
    ],
    [
      'nothing moves a bounced email back',
      [ev('bounced', 1), ev('delivered', 2), ev('clicked', 3)],
      { status: 'bounced', bouncedAt: t(1), deliveredAt: t(2), clickedAt: t(3) },
    ],
    [
      'complained sets complainedAt without moving the status',
      [ev('delivered', 1), ev('complained', 4)],
      { status: 'delivered', deliveredAt: t(1), complainedAt: t(4) },
    ],
    ['deferred changes neither status nor timestamps', [ev('deferred', 1)], { status: 'sent' }],
    [
      'the earliest of two opens is kept',
      [ev('opened', 9, 'o-late'), ev('opened', 4, 'o-early'), ev('opened', 6, 'o-mid')],
      { status: 'opened', openedAt: t(4) },
    ],
  ])('%s', async (_name, events, expected) => {
    const { logs, run } = await setup();
    const results = await run(events);
    expect(results.map((r) => r.outcome)).toEqual(events.map(() => 'applied'));
    const log = await logs.findById('log-1');
    expect(log).toMatchObject({ ...expected, updatedAt: NOW });
    for (const field of ['deliveredAt', 'openedAt', 'clickedAt', 'bouncedAt', 'complainedAt'] as const) {
      if (!(field in expected)) expect(log?.[field]).toBeNull();
    }
  });

  it('is idempotent: the same event twice changes nothing the second time', async () => {
    const { logs, run } = await setup();
    const bounce = ev('bounced', 3, 'b-1', { detail: { reason: '550 mailbox unavailable' } });
    expect(await run([bounce])).toEqual([
      { provider: 'sendgrid', eventId: 'b-1', outcome: 'applied', emailLogId: 'log-1' },
    ]);
    const once = await logs.findById('log-1');
    expect(once?.extraData).toEqual({
      delivery_events: {
        bounced: { event_id: 'b-1', occurred_at: t(3).toISOString(), reason: '550 mailbox unavailable' },
      },
    });
    expect(await run([bounce, { ...bounce, type: 'delivered' }])).toEqual([
      { provider: 'sendgrid', eventId: 'b-1', outcome: 'duplicate', emailLogId: 'log-1' },
      { provider: 'sendgrid', eventId: 'b-1', outcome: 'duplicate', emailLogId: 'log-1' },
    ]);
    expect(await logs.findById('log-1')).toEqual(once);
    expect(await logs.raw.processedEvents('log-1')).toHaveLength(1);
  });

  it('keeps provider detail within bounds', async () => {
    const { logs, run } = await setup();
    const detail = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'x'.repeat(5000)]),
    );
    await run([ev('clicked', 2, 'c-1', { detail: { ...detail, event_id: 'forged' } })]);
    const log = await logs.findById('log-1');
    const recorded = (log?.extraData.delivery_events as Record<string, Record<string, string>> | undefined)
      ?.clicked;
    expect(recorded?.event_id).toBe('c-1');
    expect(Object.keys(recorded ?? {})).toHaveLength(22);
    expect(recorded?.k00).toHaveLength(1000);
  });

  it('matches by provider message id (with or without angle brackets) and reports unmatched events', async () => {
    const { logs, run } = await setup(
      sentLog({ provider: 'mailgun', providerMessageId: '2026.1@mg.acme.test' }),
    );
    const results = await run([
      ev('delivered', 1, 'mg-1', {
        provider: 'mailgun',
        emailId: null,
        providerMessageId: '<2026.1@mg.acme.test>',
      }),
      ev('opened', 2, 'mg-2', { provider: 'mailgun', emailId: null, providerMessageId: 'unknown@mg' }),
      // Our id, but another provider than the one that sent it: not this log's event.
      ev('clicked', 3, 'sg-9', { provider: 'sendgrid', providerMessageId: null }),
    ]);
    expect(results.map((r) => [r.eventId, r.outcome, r.emailLogId])).toEqual([
      ['mg-1', 'applied', 'log-1'],
      ['mg-2', 'unmatched', null],
      ['sg-9', 'unmatched', null],
    ]);
    expect(await logs.findById('log-1')).toMatchObject({
      status: 'delivered',
      deliveredAt: t(1),
      clickedAt: null,
    });
  });

  it('rejects a malformed batch before writing anything', async () => {
    const { logs, run } = await setup();
    const before = await logs.findById('log-1');
    await expect(
      run([ev('delivered', 1), { ...ev('opened', 2), occurredAt: new Date(Number.NaN) }]),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'events[1].occurred_at' });
    await expect(run([{ ...ev('opened', 2), emailId: null, providerMessageId: null }])).rejects.toMatchObject(
      {
        code: 'VALIDATION',
        field: 'events[0].email_id',
      },
    );
    await expect(run([{ ...ev('opened', 2), type: 'exploded' as DeliveryEventType }])).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'events[0].type',
    });
    expect(await logs.findById('log-1')).toEqual(before);
  });

  it('property: any permutation and duplication of a set of events gives the canonical final log', async () => {
    const types: DeliveryEventType[] = [
      'delivered',
      'opened',
      'clicked',
      'bounced',
      'complained',
      'deferred',
    ];
    const eventSet = fc
      .uniqueArray(
        fc.record({
          type: fc.constantFrom(...types),
          minute: fc.integer({ min: 1, max: 30 }),
          id: fc.integer({ min: 1, max: 1_000 }),
        }),
        { minLength: 1, maxLength: 10, selector: (e) => e.id },
      )
      .map((specs) => specs.map((s) => ev(s.type, s.minute, `e-${s.id}`, { detail: { n: String(s.id) } })));
    const scenario = eventSet.chain((events) =>
      fc.record({
        events: fc.constant(events),
        // Every event at least once, some several times, in any order.
        arrival: fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 15 }).chain((extra) =>
          fc.shuffledSubarray([...events.map((_, i) => i), ...extra], {
            minLength: events.length + extra.length,
          }),
        ),
        initial: fc.constantFrom<EmailStatus>('sent', 'pending', 'failed'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ events, arrival, initial }) => {
        const canonical = [...events].sort(
          (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.eventId < b.eventId ? -1 : 1),
        );
        const a = await setup(sentLog({ status: initial }));
        await a.run(canonical);
        const b = await setup(sentLog({ status: initial }));
        const results = await b.run(arrival.map((i) => events[i] as DeliveryEvent));
        expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(events.length);
        expect(await b.logs.findById('log-1')).toEqual(await a.logs.findById('log-1'));
      }),
      { numRuns: 300 },
    );
  });
});
