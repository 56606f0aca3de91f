import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '../sendgrid-event-webhook.js';

/** A signed Event Webhook request, ready to post: the body exactly as signed, and its headers. */
export interface SignedSendGridWebhook {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/**
 * Plays SendGrid's side of the Signed Event Webhook in tests: a fresh P-256 key pair, whose public
 * half (`publicKey`, base64 DER as SendGrid's Mail Settings show it) configures the receiver.
 *
 * @example
 * ```ts
 * const signer = new SendGridWebhookSigner();
 * const webhook = new SendGridEventWebhook({ publicKey: signer.publicKey });
 * const { body, headers } = signer.sign([{ event: 'delivered', sg_event_id: 'e1', … }]);
 * webhook.verify({ rawBody: body, headers }); // [{ type: 'delivered', … }]
 * ```
 */
export class SendGridWebhookSigner {
  /** Base64 DER (SPKI) of the verification key. */
  readonly publicKey: string;
  readonly #privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.publicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.#privateKey = privateKey;
  }

  /**
   * Signs `timestamp + body` (ECDSA P-256, SHA-256, DER, base64) as SendGrid does. `events` is
   * serialized with `JSON.stringify` unless it is already a string.
   */
  sign(events: unknown, options: { timestamp?: number } = {}): SignedSendGridWebhook {
    const body = typeof events === 'string' ? events : JSON.stringify(events);
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body, 'utf8'), this.#privateKey).toString(
      'base64',
    );
    return {
      body,
      headers: {
        'content-type': 'application/json',
        [SENDGRID_SIGNATURE_HEADER.toLowerCase()]: signature,
        [SENDGRID_TIMESTAMP_HEADER.toLowerCase()]: timestamp,
      },
    };
  }
}

/**
 * SendGrid Event Webhook events in the documented format (one of each kind SendGrid posts), for
 * the email `emailId` sent with `X-Message-Id` `messageId`. Each `sg_event_id` is stable for the
 * email and the kind, so the same call twice yields the same events.
 */
export function sampleSendGridEvents(options: {
  emailId: string;
  messageId: string;
  recipient?: string;
  timestamp?: number;
}): Record<string, Record<string, unknown>> {
  const email = options.recipient ?? 'example@test.com';
  // Stable per email and kind, shaped like SendGrid's (22 characters of base64url).
  const eventId = (kind: string) =>
    createHash('sha256').update(`${options.emailId}:${kind}`).digest('base64url').slice(0, 22);
  const timestamp = options.timestamp ?? 1_513_299_569;
  const base = {
    email,
    timestamp,
    'smtp-id': `<${options.messageId}@ismtpd0001p1lon1.sendgrid.net>`,
    sg_message_id: `${options.messageId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`,
    category: ['cat facts'],
    parley_email_id: options.emailId,
  };
  return {
    processed: { ...base, event: 'processed', sg_event_id: eventId('processed') },
    deferred: {
      ...base,
      event: 'deferred',
      response: '400 try again later',
      attempt: '5',
      sg_event_id: eventId('deferred'),
    },
    delivered: {
      ...base,
      event: 'delivered',
      response: '250 OK',
      sg_event_id: eventId('delivered'),
    },
    open: {
      ...base,
      event: 'open',
      sg_machine_open: false,
      useragent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
      ip: '255.255.255.255',
      sg_event_id: eventId('open'),
    },
    click: {
      ...base,
      event: 'click',
      useragent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
      ip: '255.255.255.255',
      url: 'http://www.sendgrid.com/',
      url_offset: { index: 0, type: 'html' },
      sg_event_id: eventId('click'),
    },
    bounce: {
      ...base,
      event: 'bounce',
      reason: '500 unknown recipient',
      status: '5.0.0',
      type: 'bounce',
      bounce_classification: 'Invalid Address',
      sg_event_id: eventId('bounce'),
    },
    dropped: {
      ...base,
      event: 'dropped',
      reason: 'Bounced Address',
      status: '5.0.0',
      sg_event_id: eventId('dropped'),
    },
    spamreport: { ...base, event: 'spamreport', sg_event_id: eventId('spamreport') },
    unsubscribe: { ...base, event: 'unsubscribe', sg_event_id: eventId('unsubscribe') },
  };
}
