import { createHash, createHmac, randomBytes } from 'node:crypto';
import { MAILGUN_PARLEY_ID_VARIABLE } from '../mailgun-mail-transport.js';

/** The `signature` block of a Mailgun webhook. */
export interface MailgunSignatureBlock {
  readonly timestamp: string;
  readonly token: string;
  readonly signature: string;
}

/**
 * Signs Mailgun webhooks in tests as Mailgun does: a 50-character random token and the hex
 * HMAC-SHA256 of `timestamp + token` under the signing key.
 *
 * @example
 * ```ts
 * const signer = new MailgunWebhookSigner('key-test');
 * const body = signer.body(sampleMailgunEventData({ event: 'delivered', emailId, messageId }));
 * await new MailgunWebhook({ signingKey: 'key-test', replayGuard }).verify({ rawBody: body });
 * ```
 */
export class MailgunWebhookSigner {
  readonly #signingKey: string;

  constructor(signingKey: string) {
    this.#signingKey = signingKey;
  }

  signature(options: { timestamp?: number; token?: string } = {}): MailgunSignatureBlock {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const token = options.token ?? randomBytes(25).toString('hex');
    const signature = createHmac('sha256', this.#signingKey)
      .update(timestamp + token)
      .digest('hex');
    return { timestamp, token, signature };
  }

  /** The JSON body Mailgun posts: `{ signature, "event-data" }`. */
  body(eventData: unknown, options: { timestamp?: number; token?: string } = {}): string {
    return JSON.stringify({ signature: this.signature(options), 'event-data': eventData });
  }
}

export interface SampleMailgunEventOptions {
  readonly event: 'delivered' | 'opened' | 'clicked' | 'failed' | 'complained' | 'accepted' | 'unsubscribed';
  /** Our email-log id, sent as the `parley-email-id` user variable (omitted when undefined). */
  readonly emailId?: string;
  /** The message id as the transport stored it (no angle brackets). */
  readonly messageId: string;
  readonly severity?: 'permanent' | 'temporary';
  readonly recipient?: string;
  readonly timestamp?: number;
  /** `event-data.id`; default stable for (messageId, event, severity). */
  readonly id?: string;
}

/**
 * `event-data` in the shape of Mailgun's documented webhook samples.
 */
export function sampleMailgunEventData(options: SampleMailgunEventOptions): Record<string, unknown> {
  const recipient = options.recipient ?? 'alice@example.com';
  const id =
    options.id ??
    createHash('sha256')
      .update(`${options.messageId}:${options.event}:${options.severity ?? ''}`)
      .digest('base64url')
      .slice(0, 22);
  const base: Record<string, unknown> = {
    id,
    timestamp: options.timestamp ?? 1_521_472_262.908181,
    'log-level': options.event === 'failed' ? (options.severity === 'temporary' ? 'warn' : 'error') : 'info',
    event: options.event,
    recipient,
    'recipient-domain': recipient.slice(recipient.indexOf('@') + 1),
    tags: ['my_tag_1', 'my_tag_2'],
    campaigns: [],
    envelope: {
      transport: 'smtp',
      sender: 'bob@sandbox.mailgun.org',
      'sending-ip': '209.61.154.250',
      targets: recipient,
    },
    flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
    message: {
      headers: {
        to: `Alice <${recipient}>`,
        'message-id': options.messageId,
        from: 'Bob <bob@sandbox.mailgun.org>',
        subject: 'Test delivered webhook',
      },
      attachments: [],
      size: 111,
    },
    storage: {
      url: 'https://se.api.mailgun.net/v3/domains/sandbox.mailgun.org/messages/message_key',
      key: 'message_key',
    },
    'user-variables': {
      my_var_1: 'Mailgun Variable #1',
      ...(options.emailId === undefined ? {} : { [MAILGUN_PARLEY_ID_VARIABLE]: options.emailId }),
    },
  };
  switch (options.event) {
    case 'delivered':
      return {
        ...base,
        'delivery-status': {
          tls: true,
          'mx-host': 'smtp-in.example.com',
          code: 250,
          description: '',
          'session-seconds': 0.4331989288330078,
          utf8: true,
          'attempt-no': 1,
          message: 'OK',
          'certificate-verified': true,
        },
      };
    case 'failed':
      return {
        ...base,
        severity: options.severity ?? 'permanent',
        reason: options.severity === 'temporary' ? 'generic' : 'bounce',
        'delivery-status': {
          'attempt-no': 1,
          message:
            options.severity === 'temporary'
              ? '4.2.2 Mailbox full'
              : '5.1.1 The email account does not exist',
          code: options.severity === 'temporary' ? 452 : 550,
          description: '',
          'session-seconds': 0.1281740665435791,
        },
      };
    case 'opened':
    case 'clicked':
      return {
        ...base,
        ip: '50.56.129.169',
        geolocation: { country: 'US', region: 'CA', city: 'San Francisco' },
        'client-info': {
          'client-os': 'Linux',
          'device-type': 'desktop',
          'client-name': 'Chrome',
          'client-type': 'browser',
          'user-agent':
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.43 Safari/537.31',
        },
        ...(options.event === 'clicked' ? { url: 'https://example.com/offer' } : {}),
      };
    default:
      return base;
  }
}
