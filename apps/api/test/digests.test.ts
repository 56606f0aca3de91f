import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import { FixedClock } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { type Config, parseConfig } from '../src/config.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

const STORE = '/api/v1/store/messages';
const STOREFRONT = '/api/v1/storefront/messages';
const PREFERENCES = '/api/v1/me/notification-preferences';
const url = process.env.DATABASE_URL;
const targets = [
  { name: 'pglite', env: {} as Record<string, string> },
  ...(url
    ? [
        {
          name: 'postgres',
          env: {
            PARLEY_DATABASE_URL: url,
            PARLEY_DATABASE_SCHEMA: `t_digest_${Math.random().toString(36).slice(2, 10)}`,
          } as Record<string, string>,
        },
      ]
    : []),
];

// End to end: the API composed as in production, platform mail going to a real SMTP server on
// loopback; the digest worker driven by hand (`runOnce`) on a fixed clock.
// Composing the API per test is slow on a loaded machine: generous timeouts.
const SLOW = { timeout: 180_000 };

describe.each(targets)('notification preferences and digests through the API ($name)', ({ env }) => {
  let dir: string;
  let smtp: LocalSmtpServer;
  let api: ComposedApi;
  let config: Config;
  let clock: FixedClock;
  let call: Call;
  let t: Tokens;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-digest-'));
    smtp = await startLocalSmtpServer({ username: 'parley', password: 'smtp-secret' });
    // Saturday 2026-03-28, 20:00 in Paris: the night before the spring-forward change.
    clock = new FixedClock(new Date('2026-03-28T19:00:00Z'));
    config = parseConfig(
      {
        ...env,
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_SEED_DEMO: 'false',
        PARLEY_NOTIFICATIONS_WORKER: 'off',
        PARLEY_PUBLIC_URL: 'https://parley.test',
        PARLEY_SMTP_URL: `smtp://parley:smtp-secret@${smtp.host}:${smtp.port}`,
        PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
      },
      dir,
    );
    api = await compose(config, { clock });
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  }, 180_000);

  afterEach(async () => {
    const schema = env.PARLEY_DATABASE_SCHEMA;
    await api.close();
    if (schema) await dropSchema(schema);
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  }, 180_000);

  async function openConversation(subject: string, initial: string, recipient = 'c1'): Promise<string> {
    const response = await call('POST', STORE, {
      token: t.store1,
      body: {
        conversation_type: 'store_customer',
        subject,
        recipient_type: 'customer',
        recipient_id: recipient,
        initial_message: initial,
      },
    });
    expect(response.status).toBe(201);
    return (response.body as { id: string }).id;
  }

  async function chooseDaily(token: string, digestHour = 8, timeZone = 'Europe/Paris') {
    const response = await call('PUT', PREFERENCES, {
      token,
      body: { email_frequency: 'daily', time_zone: timeZone, digest_hour: digestHour },
    });
    expect(response.status).toBe(200);
  }

  const at = (iso: string) => clock.set(new Date(iso));

  it(
    'reads the defaults, saves a change, records the event, and names the field of bad input',
    SLOW,
    async () => {
      const defaults = await call('GET', PREFERENCES, { token: t.customer1 });
      expect(defaults.status).toBe(200);
      expect(defaults.body).toEqual({
        email_frequency: 'immediate',
        time_zone: 'UTC',
        digest_hour: 8,
        digest_weekday: 1,
        updated_at: null,
      });

      const saved = await call('PUT', PREFERENCES, {
        token: t.customer1,
        body: { email_frequency: 'weekly', time_zone: 'Europe/Paris', digest_hour: 18, digest_weekday: 5 },
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual({
        email_frequency: 'weekly',
        time_zone: 'Europe/Paris',
        digest_hour: 18,
        digest_weekday: 5,
        updated_at: '2026-03-28T19:00:00.000Z',
      });
      // A partial change keeps the rest; each person has their own.
      await call('PUT', PREFERENCES, { token: t.customer1, body: { digest_hour: 7 } });
      expect((await call('GET', PREFERENCES, { token: t.customer1 })).body).toMatchObject({
        email_frequency: 'weekly',
        digest_hour: 7,
      });
      expect((await call('GET', PREFERENCES, { token: t.customer2 })).body).toMatchObject({
        email_frequency: 'immediate',
      });
      // Every participant token, store staff and admins included.
      expect(
        (await call('PUT', PREFERENCES, { token: t.store1, body: { email_frequency: 'off' } })).status,
      ).toBe(200);
      expect((await call('GET', PREFERENCES, { token: t.admin })).status).toBe(200);

      const { rows } = await sql<{ tenant_id: string | null; payload: Record<string, unknown> }>`
      select tenant_id, payload from events where type = 'notification_preferences.updated' order by id`.execute(
        api.database.db,
      );
      expect(rows).toHaveLength(3);
      expect(rows[1]).toMatchObject({
        tenant_id: 's1',
        payload: {
          participant: { type: 'customer', id: 'c1' },
          email_frequency: 'weekly',
          digest_hour: 7,
          changed: ['digest_hour'],
        },
      });

      for (const [body, field] of [
        [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
        [{ time_zone: '+01:00' }, 'time_zone'],
        [{ digest_hour: 24 }, 'digest_hour'],
        [{ digest_weekday: 0 }, 'digest_weekday'],
        [{ email_frequency: 'hourly' }, 'email_frequency'],
      ] as const) {
        const response = await call('PUT', PREFERENCES, { token: t.customer1, body });
        expect({ status: response.status, field: (response.body as { field?: string }).field }).toEqual({
          status: 400,
          field,
        });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const unknown = await call('PUT', PREFERENCES, {
        token: t.customer1,
        body: { digest_hour: 3, hour: 3 },
      });
      expect(unknown.status).toBe(400);
      expect((await call('GET', PREFERENCES, { token: t.customer1 })).body).toMatchObject({ digest_hour: 7 });
      expect((await call('GET', PREFERENCES)).status).toBe(401);
    },
  );

  it(
    'sends one daily digest of the unread conversations instead of immediate emails, muted ones left out',
    SLOW,
    async () => {
      await chooseDaily(t.customer1);
      const order = await openConversation('Order #42', 'Votre colis est parti.');
      const refund = await openConversation('Refund', 'Le remboursement est en cours.');
      const muted = await openConversation('Newsletter', 'Nos promotions.');
      expect(
        (
          await call('PUT', `${STOREFRONT}/${muted}/preferences`, {
            token: t.customer1,
            body: { muted: true },
          })
        ).status,
      ).toBe(200);
      // Someone who kept `immediate` still gets immediate emails.
      await openConversation('Order #7', 'Hello Chris', 'c2');
      clock.advance(10 * 60_000);
      const immediate = await api.notifications.runOnce();
      const outcomes = immediate?.groups.map((g) => `${g.recipient.id} ${g.outcome}`) ?? [];
      expect(outcomes.filter((o) => o.endsWith(' sent'))).toEqual(['c2 sent']);
      // Her jobs (the muted conversation's too, when it was queued before she muted it) end skipped.
      const hers = outcomes.filter((o) => o.startsWith('c1 '));
      expect(hers.length).toBeGreaterThanOrEqual(2);
      expect(new Set(hers)).toEqual(new Set(['c1 skipped']));
      expect(smtp.received().map((m) => m.to[0])).toEqual(['chris@mail.test']);

      // 21:10 in Paris: before the digest hour.
      expect((await api.digests.worker.runOnce())?.digests).toEqual([]);
      // Sunday 08:00 in Paris (CEST since 02:00): due.
      at('2026-03-29T06:00:00Z');
      const run = await api.digests.worker.runOnce();
      expect(
        run?.digests.map((d) => [d.participant.id, d.period, d.periodStart, d.outcome, d.conversationCount]),
      ).toEqual([['c1', 'daily', '2026-03-29', 'sent', 2]]);
      const digests = smtp.received().filter((m) => m.to.includes('carla@mail.test'));
      expect(digests).toHaveLength(1);
      const digest = digests[0];
      expect(digest?.subject).toBe('Votre résumé du jour : 2 messages non lus');
      expect(digest?.text).toContain('Order #42');
      expect(digest?.text).toContain('Votre colis est parti.');
      expect(digest?.text).toContain('Refund');
      expect(digest?.text).toContain('Le remboursement est en cours.');
      expect(digest?.text).not.toContain('Newsletter');
      expect(digest?.html).toContain(`https://parley.test/inbox/c/${order}`);
      expect(digest?.html).toContain(`https://parley.test/inbox/c/${refund}`);

      // Later the same day: nothing more.
      at('2026-03-29T18:00:00Z');
      expect((await api.digests.worker.runOnce())?.digests).toEqual([]);
      const logs = await call('GET', '/api/v1/store/email-logs', { token: t.store1 });
      expect(JSON.stringify(logs.body)).toContain('digest_daily');

      // Carla reads everything: the next day's digest finds nothing unread and sends nothing.
      for (const id of [order, refund])
        expect((await call('PUT', `${STOREFRONT}/${id}/read`, { token: t.customer1 })).status).toBe(200);
      at('2026-03-30T06:30:00Z');
      expect((await api.digests.worker.runOnce())?.digests.map((d) => d.outcome)).toEqual(['empty']);
      expect(smtp.received().filter((m) => m.to.includes('carla@mail.test'))).toHaveLength(1);
    },
  );

  it(
    'uses the store override, the platform French version before an English override, and falls back to it for other languages',
    SLOW,
    async () => {
      const override = await call('PUT', '/api/v1/store/email-templates/digest_daily/en', {
        token: t.store1,
        body: {
          subject: 'Acme: {{ unread_count }} unread',
          body_html:
            '<ul>{% for c in conversations %}<li>{{ c.subject }} — {{ c.message_preview }}</li>{% endfor %}</ul><a href="{{ inbox_url }}">Inbox</a>',
        },
      });
      expect(override.status).toBe(200);
      const spanish = await call('PUT', '/api/v1/platform/customers/c4', {
        token: t.service,
        body: { store_id: 's1', name: 'Elena', email: 'elena@mail.test', locale: 'es' },
      });
      expect(spanish.status).toBeLessThan(300);
      const elena = await issueToken(secretKey(api.jwtSecret.secret), {
        sub: 'c4',
        role: 'customer',
        storeId: 's1',
      });
      await chooseDaily(t.customer1);
      await chooseDaily(t.customer2);
      await chooseDaily(elena);
      await openConversation('Order #42', 'Votre colis est parti.', 'c1');
      await openConversation('Order #43', 'Your parcel left.', 'c2');
      await openConversation('Pedido #44', 'Su paquete salió.', 'c4');

      at('2026-03-29T06:00:00Z');
      expect((await api.digests.worker.runOnce())?.digests.map((d) => d.outcome)).toEqual([
        'sent',
        'sent',
        'sent',
      ]);
      const to = (address: string) => smtp.received().find((m) => m.to.includes(address));
      expect(to('chris@mail.test')?.subject).toBe('Acme: 1 unread');
      expect(to('chris@mail.test')?.text).toContain('Order #43 — Your parcel left.');
      expect(to('elena@mail.test')?.subject).toBe('Acme: 1 unread');
      expect(to('elena@mail.test')?.text).toContain('Pedido #44');
      // Carla reads French: the platform's French digest comes before the store's English override.
      expect(to('carla@mail.test')?.subject).toBe('Votre résumé du jour : 1 messages non lus');
    },
  );

  it(
    'sends exactly one digest across both daylight-saving changes (Europe/Paris, hours 2 and 3)',
    SLOW,
    async () => {
      await chooseDaily(t.customer1, 2);
      await chooseDaily(t.customer2, 3);
      await openConversation('Order #42', 'one', 'c1');
      await openConversation('Order #43', 'two', 'c2');
      const sentAt: string[] = [];
      const poll = async (from: string, to: string) => {
        for (let time = Date.parse(from); time < Date.parse(to); time += 15 * 60_000) {
          at(new Date(time).toISOString());
          for (const d of (await api.digests.worker.runOnce())?.digests ?? [])
            if (d.outcome === 'sent')
              sentAt.push(`${d.participant.id} ${d.periodStart} ${new Date(time).toISOString()}`);
        }
      };
      // Spring forward: 02:00 CET becomes 03:00 CEST at 01:00Z; hour 2 never happens.
      await poll('2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z');
      expect(sentAt).toEqual([
        'c1 2026-03-29 2026-03-29T01:00:00.000Z',
        'c2 2026-03-29 2026-03-29T01:00:00.000Z',
      ]);
      // Fall back: 03:00 CEST becomes 02:00 CET at 01:00Z; hour 2 happens twice.
      sentAt.length = 0;
      await poll('2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z');
      expect(sentAt).toEqual([
        'c1 2026-10-25 2026-10-25T00:00:00.000Z',
        'c2 2026-10-25 2026-10-25T02:00:00.000Z',
      ]);
    },
  );
});

describe.runIf(url)('digests with two API processes racing (PostgreSQL)', () => {
  it('sends each digest exactly once', SLOW, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-digest-race-'));
    const smtp = await startLocalSmtpServer({ username: 'parley', password: 'smtp-secret' });
    const schema = `t_digest_race_${Math.random().toString(36).slice(2, 10)}`;
    const clock = new FixedClock(new Date('2026-06-01T04:00:00Z'));
    const config = parseConfig(
      {
        PARLEY_DATABASE_URL: url ?? '',
        PARLEY_DATABASE_SCHEMA: schema,
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_SEED_DEMO: 'false',
        PARLEY_NOTIFICATIONS_WORKER: 'off',
        PARLEY_PUBLIC_URL: 'https://parley.test',
        PARLEY_SMTP_URL: `smtp://parley:smtp-secret@${smtp.host}:${smtp.port}`,
        PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
        PARLEY_JWT_SECRET: 'digest-race-secret-digest-race-secret-0123456789',
      },
      dir,
    );
    const first = await compose(config, { clock });
    const second = await compose(config, { clock });
    try {
      const call = client(first);
      const t = await tokensFor(first.jwtSecret.secret);
      await seedFixture(call, t.service);
      for (const token of [t.customer1, t.customer2]) {
        const response = await call('PUT', PREFERENCES, {
          token,
          body: { email_frequency: 'daily', time_zone: 'Europe/Berlin', digest_hour: 7 },
        });
        expect(response.status).toBe(200);
      }
      clock.set(new Date('2026-06-01T05:00:00Z'));
      for (const recipient of ['c1', 'c2'])
        await call('POST', STORE, {
          token: t.store1,
          body: {
            conversation_type: 'store_customer',
            subject: `For ${recipient}`,
            recipient_type: 'customer',
            recipient_id: recipient,
            initial_message: 'hello',
          },
        });
      // Each round: both processes' workers at once (a worker's own runs never overlap).
      const runs = [];
      for (let round = 0; round < 3; round += 1)
        runs.push(...(await Promise.all([first.digests.worker.runOnce(), second.digests.worker.runOnce()])));
      const sent = runs.flatMap((run) => run?.digests ?? []).filter((d) => d.outcome === 'sent');
      expect(sent.map((d) => d.participant.id).sort()).toEqual(['c1', 'c2']);
      expect(
        smtp
          .received()
          .map((m) => m.to[0])
          .sort(),
      ).toEqual(['carla@mail.test', 'chris@mail.test']);
    } finally {
      await first.close();
      await second.close();
      await dropSchema(schema);
      await smtp.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
