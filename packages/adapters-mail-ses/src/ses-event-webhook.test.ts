import { isMessagingError } from '@parley/messaging-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSesEvent, SesEventWebhook } from './ses-event-webhook.js';
import { SNS_CERT_HOST_PATTERN, SnsMessageVerifier, snsStringToSign } from './sns-message-verifier.js';
import { LOOPBACK_SNS_HOST_PATTERN, SnsTestPublisher, sampleSesEvent } from './testing/sns-test-publisher.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:parley-ses-events';
const OTHER_TOPIC = 'arn:aws:sns:us-east-1:123456789012:someone-elses-topic';
const SES_MESSAGE_ID = '0100018e0a1b2c3d-4e5f6a7b-8c9d-0e1f-2a3b-4c5d6e7f8a9b-000000';

let sns: SnsTestPublisher;
beforeAll(async () => {
  sns = await SnsTestPublisher.start();
});
afterAll(async () => {
  await sns.close();
});

function webhook(overrides: Partial<ConstructorParameters<typeof SesEventWebhook>[0]> = {}): SesEventWebhook {
  return new SesEventWebhook({
    topicArns: [TOPIC],
    certHostPattern: LOOPBACK_SNS_HOST_PATTERN,
    allowHttp: true,
    ...overrides,
  });
}

function sesNotification(
  kind: Parameters<typeof sampleSesEvent>[0]['kind'],
  options: { signatureVersion?: '1' | '2'; messageId?: string; topicArn?: string } = {},
) {
  return sns.notification({
    topicArn: options.topicArn ?? TOPIC,
    message: JSON.stringify(sampleSesEvent({ kind, emailId: 'log-1', messageId: SES_MESSAGE_ID })),
    ...(options.signatureVersion === undefined ? {} : { signatureVersion: options.signatureVersion }),
    ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
  });
}

async function rejection(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (isMessagingError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('SesEventWebhook', () => {
  it.each(['1', '2'] as const)(
    'verifies a SignatureVersion %s notification and maps the SES event',
    async (version) => {
      const message = sesNotification('Delivery', { signatureVersion: version, messageId: `m-${version}` });
      const result = await webhook().handle({
        rawBody: Buffer.from(JSON.stringify(message)),
        headers: sns.headers(message),
      });
      expect(result).toEqual({
        type: 'Notification',
        topicArn: TOPIC,
        subscriptionConfirmed: false,
        events: [
          {
            provider: 'ses',
            eventId: `m-${version}`,
            type: 'delivered',
            occurredAt: new Date('2026-03-01T12:00:01.000Z'),
            emailId: 'log-1',
            providerMessageId: SES_MESSAGE_ID,
            recipient: 'recipient@example.com',
            detail: {
              event: 'Delivery',
              smtp_response: '250 ok:  Message 64111812 accepted',
              reporting_mta: 'a8-70.smtp-out.amazonses.com',
            },
          },
        ],
      });
    },
  );

  it('maps every SES event kind', async () => {
    const hook = webhook();
    const kinds = [
      'Open',
      'Click',
      'PermanentBounce',
      'TransientBounce',
      'Complaint',
      'DeliveryDelay',
      'Send',
    ] as const;
    const types: unknown[] = [];
    for (const kind of kinds) {
      const message = sesNotification(kind);
      const { events } = await hook.handle({ rawBody: JSON.stringify(message) });
      types.push(events.map((e) => [e.type, e.detail.event]));
    }
    expect(types).toEqual([
      [['opened', 'Open']],
      [['clicked', 'Click']],
      [['bounced', 'Bounce']],
      [['deferred', 'Bounce']],
      [['complained', 'Complaint']],
      [['deferred', 'DeliveryDelay']],
      [],
    ]);
  });

  it('reads identity notifications (notificationType, no tags) through the X-Parley-Email-Id header', () => {
    const event = parseSesEvent(
      JSON.stringify(
        sampleSesEvent({
          kind: 'PermanentBounce',
          emailId: 'log-9',
          messageId: SES_MESSAGE_ID,
          notification: true,
        }),
      ),
      { messageId: 'sns-1', timestamp: '2026-03-01T12:00:05.000Z' },
    );
    expect(event).toMatchObject({
      eventId: 'sns-1',
      type: 'bounced',
      emailId: 'log-9',
      providerMessageId: SES_MESSAGE_ID,
      detail: { bounce_type: 'Permanent', status: '5.1.1', diagnostic_code: 'smtp; 550 5.1.1 user unknown' },
    });
    const anonymous = parseSesEvent(
      JSON.stringify(sampleSesEvent({ kind: 'Open', messageId: SES_MESSAGE_ID })),
      {
        messageId: 'sns-2',
        timestamp: '2026-03-01T12:00:05.000Z',
      },
    );
    expect(anonymous).toMatchObject({ emailId: null, providerMessageId: SES_MESSAGE_ID });
  });

  it('gives a redelivered notification the same eventId (the SNS MessageId)', async () => {
    const message = sesNotification('Open', { messageId: 'same-id' });
    const hook = webhook();
    const a = await hook.handle({ rawBody: JSON.stringify(message) });
    const b = await hook.handle({ rawBody: JSON.stringify(message) });
    expect(a.events).toEqual(b.events);
    expect(a.events[0]?.eventId).toBe('same-id');
  });

  it('includes Subject in the signed string only when present', async () => {
    const message = sns.notification({
      topicArn: TOPIC,
      subject: 'Amazon SES Email Event Notification',
      message: JSON.stringify(sampleSesEvent({ kind: 'Open', messageId: SES_MESSAGE_ID })),
    });
    expect(snsStringToSign(message)).toContain('Subject\nAmazon SES Email Event Notification\n');
    expect((await webhook().handle({ rawBody: JSON.stringify(message) })).events).toHaveLength(1);
    const withNullSubject = { ...sesNotification('Open'), Subject: null };
    expect((await webhook().handle({ rawBody: JSON.stringify(withNullSubject) })).events).toHaveLength(1);
  });

  it('rejects a tampered message or a forged signature', async () => {
    const message = sesNotification('Delivery');
    const tampered = { ...message, Message: message.Message.replace('log-1', 'log-2') };
    expect(await rejection(() => webhook().handle({ rawBody: JSON.stringify(tampered) }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('signature'),
    });
    for (const forged of [
      { ...message, Signature: Buffer.from('forged').toString('base64') },
      { ...message, MessageId: 'another-id' },
      { ...message, SignatureVersion: message.SignatureVersion === '1' ? '2' : '1' },
      { ...message, Type: 'SubscriptionConfirmation' },
    ]) {
      expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(forged) }))).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
    }
    const other = await SnsTestPublisher.start();
    try {
      // Signed by another key, but naming our certificate.
      const foreign = other.notification({
        topicArn: TOPIC,
        message: message.Message,
        certificateUrl: sns.certificateUrl,
      });
      expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(foreign) }))).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
    } finally {
      await other.close();
    }
  });

  it('rejects a topic that is not on the allow-list, before fetching anything', async () => {
    const fetches = sns.certificateFetches;
    const hook = webhook({ maxCachedCertificates: 1 });
    const message = sesNotification('Delivery', { topicArn: OTHER_TOPIC });
    expect(await rejection(() => hook.handle({ rawBody: JSON.stringify(message) }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('not allowed'),
    });
    expect(sns.certificateFetches).toBe(fetches);
  });

  it('rejects a certificate URL outside the allowed hosts, or over http by default', async () => {
    const message = sesNotification('Delivery');
    // The production rule: only https://sns.<region>.amazonaws.com.
    const production = new SesEventWebhook({ topicArns: [TOPIC] });
    expect(await rejection(() => production.handle({ rawBody: JSON.stringify(message) }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('https'),
    });
    for (const url of [
      'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
      'https://evil.test/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com@evil.test/cert.pem',
      'https://user@sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com:8443/cert.pem',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const resigned = sns.sign({ ...message, SigningCertURL: url });
      expect(
        (await rejection(() => production.handle({ rawBody: JSON.stringify(resigned) }))).code,
        url,
      ).toBe('WEBHOOK_UNVERIFIED');
    }
    // A test pattern pointing elsewhere refuses the loopback server too.
    const elsewhere = webhook({ certHostPattern: /^sns\.test$/ });
    expect(await rejection(() => elsewhere.handle({ rawBody: JSON.stringify(message) }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('127.0.0.1'),
    });
  });

  it('accepts exactly the sns.<region>.amazonaws.com hosts by default', () => {
    for (const host of [
      'sns.us-east-1.amazonaws.com',
      'sns.eu-west-1.amazonaws.com',
      'sns.ap-southeast-2.amazonaws.com',
      'sns.us-gov-west-1.amazonaws.com',
    ]) {
      expect(SNS_CERT_HOST_PATTERN.test(host), host).toBe(true);
    }
    for (const host of [
      'sns.amazonaws.com',
      'sns.us-east-1.amazonaws.com.evil.test',
      'evil-sns.us-east-1.amazonaws.com',
      'sqs.us-east-1.amazonaws.com',
      'sns.us-east-1.amazonaws.co',
    ]) {
      expect(SNS_CERT_HOST_PATTERN.test(host), host).toBe(false);
    }
    const verifier = new SnsMessageVerifier({ topicArns: [TOPIC] });
    expect(
      verifier.trustedUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem', 'url')
        .hostname,
    ).toBe('sns.eu-west-1.amazonaws.com');
    expect(() => new SnsMessageVerifier({ topicArns: [TOPIC], allowHttp: true })).toThrow(/tests/);
  });

  it('rejects an expired certificate', async () => {
    const expired = await SnsTestPublisher.start({
      notBefore: new Date('2020-01-01'),
      notAfter: new Date('2020-12-31'),
    });
    try {
      const message = expired.notification({
        topicArn: TOPIC,
        message: JSON.stringify(sampleSesEvent({ kind: 'Open', messageId: SES_MESSAGE_ID })),
      });
      expect(await rejection(() => webhook().handle({ rawBody: JSON.stringify(message) }))).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('not valid now'),
      });
    } finally {
      await expired.close();
    }
  });

  it('caches certificates by URL', async () => {
    const hook = webhook();
    const before = sns.certificateFetches;
    await hook.handle({ rawBody: JSON.stringify(sesNotification('Open')) });
    await hook.handle({ rawBody: JSON.stringify(sesNotification('Click')) });
    await Promise.all([
      hook.handle({ rawBody: JSON.stringify(sesNotification('Delivery')) }),
      hook.handle({ rawBody: JSON.stringify(sesNotification('Delivery')) }),
    ]);
    expect(sns.certificateFetches - before).toBe(1);
  });

  it('answers INTERNAL when the certificate cannot be fetched, and tries again next time', async () => {
    let failing = true;
    const hook = webhook({
      fetchText: async (url) => {
        if (failing) throw new Error('ECONNRESET');
        const response = await fetch(url);
        return response.text();
      },
    });
    const message = sesNotification('Open');
    expect((await rejection(() => hook.handle({ rawBody: JSON.stringify(message) }))).code).toBe('INTERNAL');
    failing = false;
    expect((await hook.handle({ rawBody: JSON.stringify(message) })).events).toHaveLength(1);
  });

  it('rejects a certificate URL that serves something else than a certificate', async () => {
    const hook = webhook({ fetchText: async () => 'hello' });
    expect(
      (await rejection(() => hook.handle({ rawBody: JSON.stringify(sesNotification('Open')) }))).code,
    ).toBe('WEBHOOK_UNVERIFIED');
  });

  it('rejects malformed bodies and headers that disagree with the body', async () => {
    const message = sesNotification('Open');
    const { Signature: _, ...unsigned } = message;
    for (const body of [
      'not json',
      '[]',
      JSON.stringify(unsigned),
      JSON.stringify({ ...message, SignatureVersion: '3' }),
      JSON.stringify({ ...message, Type: 'Other' }),
    ]) {
      expect((await rejection(() => webhook().handle({ rawBody: body }))).code, body.slice(0, 40)).toBe(
        'WEBHOOK_UNVERIFIED',
      );
    }
    const headers = { ...sns.headers(message), 'x-amz-sns-topic-arn': OTHER_TOPIC };
    expect(
      (await rejection(() => webhook().handle({ rawBody: JSON.stringify(message), headers }))).code,
    ).toBe('WEBHOOK_UNVERIFIED');
    const typed = { ...sns.headers(message), 'x-amz-sns-message-type': 'SubscriptionConfirmation' };
    expect(
      (await rejection(() => webhook().handle({ rawBody: JSON.stringify(message), headers: typed }))).code,
    ).toBe('WEBHOOK_UNVERIFIED');
  });

  it('answers VALIDATION for a verified notification that is not an SES event', async () => {
    const message = sns.notification({ topicArn: TOPIC, message: 'hello world' });
    expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(message) }))).code).toBe(
      'VALIDATION',
    );
  });

  describe('subscription confirmation', () => {
    it.each(['1', '2'] as const)(
      'confirms an allowed topic by fetching SubscribeURL (SignatureVersion %s)',
      async (version) => {
        const before = sns.confirmations.length;
        const message = sns.confirmation({ topicArn: TOPIC, signatureVersion: version });
        const result = await webhook().handle({
          rawBody: JSON.stringify(message),
          headers: sns.headers(message),
        });
        expect(result).toEqual({
          type: 'SubscriptionConfirmation',
          topicArn: TOPIC,
          events: [],
          subscriptionConfirmed: true,
        });
        expect(sns.confirmations.slice(before)).toEqual([expect.stringContaining(`Token=${message.Token}`)]);
      },
    );

    it('does not confirm a disallowed topic, a bad signature or a SubscribeURL on another host', async () => {
      const before = sns.confirmations.length;
      const other = sns.confirmation({ topicArn: OTHER_TOPIC });
      expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(other) }))).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
      const forged = { ...sns.confirmation({ topicArn: TOPIC }), Token: 'attacker-token' };
      expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(forged) }))).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
      const elsewhere = sns.confirmation({
        topicArn: TOPIC,
        subscribeUrl: 'http://169.254.169.254/latest/meta-data/',
      });
      expect((await rejection(() => webhook().handle({ rawBody: JSON.stringify(elsewhere) }))).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
      expect(sns.confirmations.length).toBe(before);
    });

    it('acknowledges an UnsubscribeConfirmation without fetching anything', async () => {
      const before = sns.confirmations.length;
      const message = sns.confirmation({ topicArn: TOPIC, type: 'UnsubscribeConfirmation' });
      expect(await webhook().handle({ rawBody: JSON.stringify(message) })).toEqual({
        type: 'UnsubscribeConfirmation',
        topicArn: TOPIC,
        events: [],
        subscriptionConfirmed: false,
      });
      expect(sns.confirmations.length).toBe(before);
    });
  });
});

describe('snsStringToSign', () => {
  it('builds the documented canonical strings', () => {
    const base = {
      MessageId: 'id',
      TopicArn: 'arn',
      Message: 'm',
      Timestamp: 't',
      SignatureVersion: '1' as const,
      Signature: 's',
      SigningCertURL: 'u',
    };
    expect(snsStringToSign({ ...base, Type: 'Notification', UnsubscribeURL: 'x' })).toBe(
      'Message\nm\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n',
    );
    expect(snsStringToSign({ ...base, Type: 'Notification', Subject: 'sub' })).toBe(
      'Message\nm\nMessageId\nid\nSubject\nsub\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n',
    );
    expect(
      snsStringToSign({ ...base, Type: 'SubscriptionConfirmation', Token: 'tok', SubscribeURL: 'sub' }),
    ).toBe(
      'Message\nm\nMessageId\nid\nSubscribeURL\nsub\nTimestamp\nt\nToken\ntok\nTopicArn\narn\nType\nSubscriptionConfirmation\n',
    );
  });
});
