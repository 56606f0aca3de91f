import { MailgunMailTransport } from '@parley/adapters-mail-mailgun';
import {
  LocalMailgunServer,
  MailgunWebhookSigner,
  sampleMailgunEventData,
} from '@parley/adapters-mail-mailgun/testing';
import { SendGridMailTransport } from '@parley/adapters-mail-sendgrid';
import {
  LocalSendGridServer,
  SendGridWebhookSigner,
  sampleSendGridEvents,
} from '@parley/adapters-mail-sendgrid/testing';
import { SesMailTransport } from '@parley/adapters-mail-ses';
import { LocalSesServer, SnsTestPublisher, sampleSesEvent } from '@parley/adapters-mail-ses/testing';
import {
  createEmailCore,
  type EmailCore,
  type EmailLog,
  type EmailLogRepository,
  type MailTransport,
  type MarketplaceDirectory,
  type MessagingCore,
  type StoreEmailSettingsRepository,
  type WebhookReplayGuard,
} from '@parley/messaging-core';
import { InMemoryOutboundAddressGuard, ReversibleSecretCipher } from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { emailWebhookVerifiers } from '../../src/routes/email-webhook-routes.js';
import { expectProblem } from './api-scenarios.js';
import { buildHarness } from './build-harness.js';
import { type ApiResponse, type Call, client } from './client.js';
import type { ApiHarness } from './harness.js';

/** The storage an email-webhook scenario runs on; fresh (or holding nothing it will look at). */
export interface EmailWebhookTarget {
  readonly core: MessagingCore;
  readonly directory: MarketplaceDirectory;
  readonly emailLogs: EmailLogRepository;
  readonly emailSettings: StoreEmailSettingsRepository;
  readonly kind: string;
  readonly check: () => Promise<void>;
  readonly close?: () => Promise<void>;
  /**
   * A replay guard over the target's storage; each call is what another API instance (or this
   * one after a restart) would build over the same database.
   */
  readonly replayGuard: () => WebhookReplayGuard;
}

export type EmailWebhookTargetFactory = () => Promise<EmailWebhookTarget>;

const WEBHOOKS = '/api/v1/webhooks/email';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:parley-ses-events';
const MAILGUN_SIGNING_KEY = 'key-webhook-signing-0123456789';
const SES_CREDENTIALS = { accessKeyId: 'AKIDWEBHOOKTEST01', secretAccessKey: 'webhook-test-secret' };

type Kind = 'delivered' | 'opened' | 'bounced';
const SES_KINDS = { delivered: 'Delivery', opened: 'Open', bounced: 'PermanentBounce' } as const;
const SENDGRID_KINDS = { delivered: 'delivered', opened: 'open', bounced: 'bounce' } as const;

/** One provider seen from a test: a transport to send with, and signed webhooks about what it sent. */
interface ProviderDriver {
  readonly name: 'sendgrid' | 'mailgun' | 'ses';
  readonly transport: MailTransport;
  /** A signed request reporting `kind` for the log; the same (log, kind, variant) is the same provider event. */
  request(
    log: EmailLog,
    kind: Kind,
    options?: { variant?: string; withoutOurId?: boolean },
  ): { payload: string; headers: Record<string, string> };
  /** A request whose signature does not verify. */
  forged(log: EmailLog): { payload: string; headers: Record<string, string> };
}

/**
 * The tracking webhooks end to end, on one storage target: the core's `sendEmail` sends through
 * each provider's real transport (official SDK → the local server speaking its protocol), then
 * the provider's signed webhooks move the email log through the API.
 *
 * @example
 * ```ts
 * emailWebhookScenarios('in-memory', async () => ({ ...createInMemoryMessaging(), emailLogs, emailSettings, kind: 'memory', check }));
 * ```
 */
export function emailWebhookScenarios(label: string, factory: EmailWebhookTargetFactory): void {
  describe(`email tracking webhooks on ${label}`, () => {
    let sendgridServer: LocalSendGridServer;
    let mailgunServer: LocalMailgunServer;
    let sesServer: LocalSesServer;
    let sns: SnsTestPublisher;
    const sendgridSigner = new SendGridWebhookSigner();
    const mailgunSigner = new MailgunWebhookSigner(MAILGUN_SIGNING_KEY);
    const drivers = new Map<string, ProviderDriver>();

    beforeAll(async () => {
      [sendgridServer, mailgunServer, sesServer, sns] = await Promise.all([
        LocalSendGridServer.start(),
        LocalMailgunServer.start(),
        LocalSesServer.start({ credentials: [SES_CREDENTIALS] }),
        SnsTestPublisher.start(),
      ]);
      drivers.set('sendgrid', {
        name: 'sendgrid',
        transport: new SendGridMailTransport({ apiKey: sendgridServer.apiKey, baseUrl: sendgridServer.url }),
        request: (log, kind, options = {}) => {
          const samples = sampleSendGridEvents({
            emailId: log.id,
            messageId: log.providerMessageId ?? '',
            recipient: log.recipient,
            timestamp: 1_767_268_800,
          });
          const event: Record<string, unknown> = {
            ...samples[SENDGRID_KINDS[kind]],
            sg_event_id: `${log.id}:${kind}${options.variant ?? ''}`,
          };
          if (options.withoutOurId) delete event.parley_email_id;
          const { body, headers } = sendgridSigner.sign([event]);
          return { payload: body, headers };
        },
        forged: (log) => {
          const { body, headers } = sendgridSigner.sign([
            sampleSendGridEvents({ emailId: log.id, messageId: log.providerMessageId ?? '' }).bounce,
          ]);
          return { payload: body.replace('"bounce"', '"delivered"'), headers };
        },
      });
      drivers.set('mailgun', {
        name: 'mailgun',
        transport: new MailgunMailTransport({
          apiKey: mailgunServer.apiKey,
          domain: mailgunServer.domain,
          baseUrl: mailgunServer.url,
        }),
        request: (log, kind, options = {}) => {
          const data = sampleMailgunEventData({
            event: kind === 'bounced' ? 'failed' : kind,
            ...(kind === 'bounced' ? { severity: 'permanent' as const } : {}),
            ...(options.withoutOurId ? {} : { emailId: log.id }),
            messageId: log.providerMessageId ?? '',
            recipient: log.recipient,
            timestamp: 1_767_268_800.25,
            id: `${log.id}:${kind}${options.variant ?? ''}`,
          });
          // Every delivery is freshly signed (a new token): only the event id says it is the same event.
          return { payload: mailgunSigner.body(data), headers: { 'content-type': 'application/json' } };
        },
        forged: (log) => {
          const data = sampleMailgunEventData({
            event: 'failed',
            emailId: log.id,
            messageId: log.providerMessageId ?? '',
          });
          const body = JSON.parse(mailgunSigner.body(data)) as { signature: { signature: string } };
          body.signature.signature = 'f'.repeat(64);
          return { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
        },
      });
      drivers.set('ses', {
        name: 'ses',
        transport: new SesMailTransport({
          ...SES_CREDENTIALS,
          region: sesServer.region,
          endpoint: sesServer.endpoint,
        }),
        request: (log, kind, options = {}) => {
          const message = sns.notification({
            topicArn: TOPIC,
            messageId: `${log.id}:${kind}${options.variant ?? ''}`,
            message: JSON.stringify(
              sampleSesEvent({
                kind: SES_KINDS[kind],
                ...(options.withoutOurId ? {} : { emailId: log.id }),
                messageId: log.providerMessageId ?? '',
                recipient: log.recipient,
                timestamp: '2026-01-01T12:00:00.000Z',
              }),
            ),
          });
          return { payload: JSON.stringify(message), headers: sns.headers(message) };
        },
        forged: (log) => {
          const message = sns.notification({
            topicArn: TOPIC,
            message: JSON.stringify(
              sampleSesEvent({ kind: 'Delivery', emailId: log.id, messageId: log.providerMessageId ?? '' }),
            ),
          });
          const tampered = { ...message, Message: message.Message.replace('"Delivery"', '"Open"') };
          return { payload: JSON.stringify(tampered), headers: sns.headers(message) };
        },
      });
    });
    afterAll(async () => {
      await Promise.all([sendgridServer?.close(), mailgunServer?.close(), sesServer?.close(), sns?.close()]);
    });

    let target: EmailWebhookTarget;
    let harness: ApiHarness;
    let call: Call;
    let email: EmailCore;
    let platformTransport: MailTransport;

    beforeEach(async () => {
      target = await factory();
      platformTransport = drivers.get('sendgrid')?.transport as MailTransport;
      email = createEmailCore({
        directory: target.directory,
        emailSettings: target.emailSettings,
        emailLogs: target.emailLogs,
        cipher: new ReversibleSecretCipher(),
        transports: {
          forStore: () => {
            throw new Error('store transports are not used here');
          },
          platformDefault: () => platformTransport,
        },
        outboundGuard: new InMemoryOutboundAddressGuard(),
        platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
      });
      // The configuration path the composition root takes, with the test-only SNS host override.
      const config = parseConfig(
        {
          PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY: sendgridSigner.publicKey,
          PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_SIGNING_KEY,
          PARLEY_SES_SNS_TOPIC_ARNS: TOPIC,
          PARLEY_SES_SNS_CERT_HOST_PATTERN: '127\\.0\\.0\\.1',
        },
        '/srv/parley',
      );
      harness = await buildHarness(
        target.core,
        target.directory,
        { kind: target.kind, check: target.check, ...(target.close ? { close: target.close } : {}) },
        {
          emailWebhooks: {
            applyDeliveryEvents: email.applyDeliveryEvents,
            ...emailWebhookVerifiers(config.emailWebhooks, { replayGuard: target.replayGuard() }),
          },
        },
      );
      call = client(harness);
    });
    afterEach(async () => {
      await harness?.close();
    });

    async function send(driver: ProviderDriver, to = 'ana@mail.test'): Promise<EmailLog> {
      platformTransport = driver.transport;
      const { log, error } = await email.sendEmail({
        storeId: null,
        to: { address: to, name: 'Ana' },
        subject: `Hello through ${driver.name}`,
        text: 'You have a new message',
      });
      expect(error).toBeNull();
      expect(log).toMatchObject({
        status: 'sent',
        provider: driver.name,
        providerMessageId: expect.any(String),
      });
      return log;
    }

    async function post(
      driver: ProviderDriver,
      request: { payload: string; headers: Record<string, string> },
    ) {
      return call('POST', `${WEBHOOKS}/${driver.name}`, request);
    }

    async function logOf(id: string): Promise<EmailLog> {
      const log = await target.emailLogs.findById(id);
      if (log === null) throw new Error(`email log ${id} vanished`);
      return log;
    }

    function expectSummary(response: ApiResponse, summary: Record<string, number | string>): void {
      expect({ status: response.status, body: response.body }).toMatchObject({ status: 200, body: summary });
    }

    describe.each(['sendgrid', 'mailgun', 'ses'])('%s', (name) => {
      const driver = () => drivers.get(name) as ProviderDriver;

      it('moves the log sent → delivered → opened; a late delivered and a repeated event change nothing', async () => {
        const sent = await send(driver());

        expectSummary(await post(driver(), driver().request(sent, 'delivered')), {
          provider: name,
          received: 1,
          applied: 1,
          duplicates: 0,
          unmatched: 0,
        });
        const delivered = await logOf(sent.id);
        expect(delivered).toMatchObject({
          status: 'delivered',
          deliveredAt: expect.any(Date),
          openedAt: null,
        });

        expectSummary(await post(driver(), driver().request(sent, 'opened')), { applied: 1 });
        const opened = await logOf(sent.id);
        expect(opened).toMatchObject({
          status: 'opened',
          deliveredAt: delivered.deliveredAt,
          openedAt: expect.any(Date),
        });

        // A late delivered (another event, same facts) never moves an opened email back.
        expectSummary(await post(driver(), driver().request(sent, 'delivered', { variant: '-late' })), {
          applied: 1,
        });
        const late = await logOf(sent.id);
        expect({ ...late, updatedAt: null }).toEqual({ ...opened, updatedAt: null });

        // The same event again (a provider retry, freshly signed): a duplicate, nothing changes.
        expectSummary(await post(driver(), driver().request(sent, 'opened')), { applied: 0, duplicates: 1 });
        expect(await logOf(sent.id)).toEqual(late);
      });

      it('records a bounce whatever came before', async () => {
        const sent = await send(driver(), 'gone@mail.test');
        await post(driver(), driver().request(sent, 'opened'));
        expectSummary(await post(driver(), driver().request(sent, 'bounced')), { applied: 1 });
        const bounced = await logOf(sent.id);
        expect(bounced).toMatchObject({
          status: 'bounced',
          bouncedAt: expect.any(Date),
          openedAt: expect.any(Date),
        });
        expect(JSON.stringify(bounced.extraData)).toMatch(/5\.1\.1|550|unknown recipient/);
      });

      it('matches by the provider message id when our id did not come back', async () => {
        const sent = await send(driver());
        expectSummary(await post(driver(), driver().request(sent, 'delivered', { withoutOurId: true })), {
          applied: 1,
          unmatched: 0,
        });
        expect((await logOf(sent.id)).status).toBe('delivered');
      });

      it('applies a verified event whose data carries NUL characters (replaced by U+FFFD), never a 500', async () => {
        const sent = await send(driver());
        // The variant lands in the provider's event id, stored with the log's processed events.
        expectSummary(await post(driver(), driver().request(sent, 'delivered', { variant: '\u0000odd' })), {
          received: 1,
          applied: 1,
        });
        expect((await logOf(sent.id)).status).toBe('delivered');
        // The same odd event again is recognised as the same one.
        expectSummary(await post(driver(), driver().request(sent, 'delivered', { variant: '\u0000odd' })), {
          applied: 0,
          duplicates: 1,
        });
      });

      it('answers 401 problem+json to a request that does not verify, and changes nothing', async () => {
        const sent = await send(driver());
        const response = await post(driver(), driver().forged(sent));
        expectProblem(response, 401, 'WEBHOOK_UNVERIFIED');
        expect(await logOf(sent.id)).toEqual(sent);
      });
    });

    it('refuses replays: a Mailgun token used twice, a SendGrid signature older than 5 minutes', async () => {
      const mailgun = drivers.get('mailgun') as ProviderDriver;
      const viaMailgun = await send(mailgun);
      const captured = mailgun.request(viaMailgun, 'delivered');
      expectSummary(await post(mailgun, captured), { applied: 1 });
      expectProblem(await post(mailgun, captured), 401, 'WEBHOOK_UNVERIFIED');

      const sendgrid = drivers.get('sendgrid') as ProviderDriver;
      const viaSendGrid = await send(sendgrid);
      const stale = sendgridSigner.sign(
        [
          sampleSendGridEvents({ emailId: viaSendGrid.id, messageId: viaSendGrid.providerMessageId ?? '' })
            .delivered,
        ],
        { timestamp: Math.floor(Date.now() / 1000) - 301 },
      );
      expectProblem(
        await post(sendgrid, { payload: stale.body, headers: stale.headers }),
        401,
        'WEBHOOK_UNVERIFIED',
      );
      expect(await logOf(viaSendGrid.id)).toEqual(viaSendGrid);
    });

    it('takes a Mailgun event with a NUL in user-variables and in its details: 200, our id matches nothing', async () => {
      const mailgun = drivers.get('mailgun') as ProviderDriver;
      const sent = await send(mailgun);
      const data = sampleMailgunEventData({
        event: 'failed',
        severity: 'permanent',
        emailId: `${sent.id}\u0000`,
        messageId: `${sent.providerMessageId ?? ''}\u0000`,
        recipient: `${sent.recipient}\u0000`,
        id: `${sent.id}:nul`,
      });
      const withOddDetail = {
        ...data,
        reason: 'bad\u0000mailbox\ud800',
        'user-variables': { '\u0000': '\u0000', 'parley-email-id': `${sent.id}\u0000` },
      };
      const response = await post(mailgun, {
        payload: mailgunSigner.body(withOddDetail),
        headers: { 'content-type': 'application/json' },
      });
      expectSummary(response, { provider: 'mailgun', received: 1, applied: 0, unmatched: 1 });
      expect(await logOf(sent.id)).toEqual(sent);
    });

    it('refuses a Mailgun replay on another instance over the same storage and after a restart; stale tokens anyway', async () => {
      const mailgun = drivers.get('mailgun') as ProviderDriver;
      const sent = await send(mailgun);
      const captured = mailgun.request(sent, 'delivered');
      const instance = async () => {
        const other = await buildHarness(
          target.core,
          target.directory,
          { kind: target.kind, check: target.check },
          {
            emailWebhooks: {
              applyDeliveryEvents: email.applyDeliveryEvents,
              ...emailWebhookVerifiers(
                parseConfig({ PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_SIGNING_KEY }, '/srv/parley')
                  .emailWebhooks,
                { replayGuard: target.replayGuard() },
              ),
            },
          },
        );
        return { harness: other, call: client(other) };
      };
      const second = await instance();
      try {
        expectSummary(await post(mailgun, captured), { applied: 1 });
        const replay = await second.call('POST', `${WEBHOOKS}/mailgun`, captured);
        expectProblem(replay, 401, 'WEBHOOK_UNVERIFIED');
        expect(replay.body.detail).toContain('replay');
      } finally {
        await second.harness.close();
      }
      // The first instance goes away; one started afterwards still refuses the token.
      await harness.close();
      const restarted = await instance();
      try {
        const replay = await restarted.call('POST', `${WEBHOOKS}/mailgun`, captured);
        expectProblem(replay, 401, 'WEBHOOK_UNVERIFIED');
        expect(replay.body.detail).toContain('replay');
        // Outside the 5-minute window a correctly signed, never seen token is refused anyway.
        const data = JSON.parse(captured.payload)['event-data'];
        for (const timestamp of [Math.floor(Date.now() / 1000) - 301, Math.floor(Date.now() / 1000) + 301]) {
          const stale = await restarted.call('POST', `${WEBHOOKS}/mailgun`, {
            payload: mailgunSigner.body({ ...data, id: `${data.id}-stale` }, { timestamp }),
            headers: { 'content-type': 'application/json' },
          });
          expectProblem(stale, 401, 'WEBHOOK_UNVERIFIED');
          expect(stale.body.detail).toContain('300 seconds');
        }
        // A fresh signature is still accepted after the restart.
        const fresh = await restarted.call('POST', `${WEBHOOKS}/mailgun`, mailgun.request(sent, 'opened'));
        expect({ status: fresh.status, body: fresh.body }).toMatchObject({
          status: 200,
          body: { applied: 1 },
        });
      } finally {
        await restarted.harness.close();
      }
    });

    it('counts an event about an unknown email as unmatched', async () => {
      const sendgrid = drivers.get('sendgrid') as ProviderDriver;
      const stranger = {
        id: '01900000-0000-7000-8000-000000000000',
        providerMessageId: 'UnknownMessageId00000',
        recipient: 'x@mail.test',
      } as EmailLog;
      expectSummary(await post(sendgrid, sendgrid.request(stranger, 'delivered')), {
        received: 1,
        applied: 0,
        unmatched: 1,
      });
    });

    it('confirms an SNS subscription for an allowed topic, and refuses another topic', async () => {
      const before = sns.confirmations.length;
      const confirmation = sns.confirmation({ topicArn: TOPIC, signatureVersion: '2' });
      const ok = await call('POST', `${WEBHOOKS}/ses`, {
        payload: JSON.stringify(confirmation),
        headers: sns.headers(confirmation),
      });
      expect({ status: ok.status, body: ok.body }).toEqual({
        status: 200,
        body: {
          provider: 'ses',
          received: 0,
          applied: 0,
          duplicates: 0,
          unmatched: 0,
          subscription_confirmed: true,
        },
      });
      expect(sns.confirmations.length).toBe(before + 1);
      const other = sns.confirmation({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:not-ours' });
      expectProblem(
        await call('POST', `${WEBHOOKS}/ses`, {
          payload: JSON.stringify(other),
          headers: sns.headers(other),
        }),
        401,
        'WEBHOOK_UNVERIFIED',
      );
      expect(sns.confirmations.length).toBe(before + 1);
    });

    it('needs no bearer token, refuses other media types, and 404s unknown providers', async () => {
      const multipart = await call('POST', `${WEBHOOKS}/mailgun`, {
        payload: '--x\r\nContent-Disposition: form-data; name="event"\r\n\r\ndelivered\r\n--x--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      expectProblem(multipart, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(
        await call('POST', `${WEBHOOKS}/postmark`, {
          payload: '{}',
          headers: { 'content-type': 'application/json' },
        }),
        404,
        'ROUTE_NOT_FOUND',
      );
      // An empty body cannot verify.
      expectProblem(
        await call('POST', `${WEBHOOKS}/sendgrid`, { headers: { 'content-type': 'application/json' } }),
        401,
        'WEBHOOK_UNVERIFIED',
      );
    });
  });

  describe(`email tracking webhooks on ${label}, with no provider configured`, () => {
    let harness: ApiHarness;
    beforeEach(async () => {
      const target = await factory();
      harness = await buildHarness(target.core, target.directory, {
        kind: target.kind,
        check: target.check,
        ...(target.close ? { close: target.close } : {}),
      });
    });
    afterEach(async () => {
      await harness?.close();
    });

    it.each(['sendgrid', 'mailgun', 'ses'])('answers 404 on /%s', async (name) => {
      const response = await client(harness)('POST', `${WEBHOOKS}/${name}`, {
        payload: '[]',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 404, 'ROUTE_NOT_FOUND');
      expect(response.body.detail).toContain('not configured');
    });
  });
}
