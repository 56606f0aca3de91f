import {
  createHash,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  webcrypto,
} from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { type SnsMessage, snsStringToSign } from '../sns-message-verifier.js';

/** The host pattern that points the verifier's certificate check at the loopback server. */
export const LOOPBACK_SNS_HOST_PATTERN = /^127\.0\.0\.1$/;

export interface SnsTestPublisherOptions {
  /** Certificate validity (default: from a day ago to a day ahead). */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/**
 * Plays Amazon SNS in tests: an RSA key (`node:crypto`), a self-signed X.509 certificate for it
 * (`@peculiar/x509`), and a loopback HTTP server that serves the certificate at
 * `/SimpleNotificationService-<hash>.pem` and records hits on subscription-confirmation URLs.
 * Point `SnsMessageVerifier` at it with `certHostPattern: LOOPBACK_SNS_HOST_PATTERN, allowHttp: true`.
 *
 * @example
 * ```ts
 * const sns = await SnsTestPublisher.start();
 * const body = JSON.stringify(sns.notification({ topicArn, message: JSON.stringify(sesEvent) }));
 * await new SesEventWebhook({ topicArns: [topicArn], certHostPattern: LOOPBACK_SNS_HOST_PATTERN, allowHttp: true }).handle({ rawBody: body });
 * await sns.close();
 * ```
 */
export class SnsTestPublisher {
  /** Where the certificate is served. */
  readonly certificateUrl: string;
  /** The certificate, PEM. */
  readonly certificatePem: string;
  /** How many times the certificate was fetched. */
  certificateFetches = 0;
  /** Subscription-confirmation URLs that were fetched, in order. */
  readonly confirmations: string[] = [];
  readonly #privateKey: KeyObject;
  readonly #server: Server;
  readonly #origin: string;

  private constructor(server: Server, origin: string, privateKey: KeyObject, pem: string, path: string) {
    this.#server = server;
    this.#origin = origin;
    this.#privateKey = privateKey;
    this.certificatePem = pem;
    this.certificateUrl = `${origin}${path}`;
  }

  static async start(options: SnsTestPublisherOptions = {}): Promise<SnsTestPublisher> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const subtle = webcrypto.subtle;
    const keys = {
      publicKey: await subtle.importKey(
        'spki',
        publicKey.export({ type: 'spki', format: 'der' }),
        algorithm,
        true,
        ['verify'],
      ),
      privateKey: await subtle.importKey(
        'pkcs8',
        privateKey.export({ type: 'pkcs8', format: 'der' }),
        algorithm,
        true,
        ['sign'],
      ),
    };
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: createHash('sha256').update(randomUUID()).digest('hex').slice(0, 16),
        name: 'CN=sns.amazonaws.com',
        notBefore: options.notBefore ?? new Date(now - 86_400_000),
        notAfter: options.notAfter ?? new Date(now + 86_400_000),
        signingAlgorithm: algorithm,
        keys,
      },
      webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
    );
    const pem = certificate.toString('pem');
    const path = `/SimpleNotificationService-${createHash('md5').update(pem).digest('hex')}.pem`;
    let publisher: SnsTestPublisher | undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method === 'GET' && url.pathname === path && publisher) {
        publisher.certificateFetches += 1;
        response.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(pem);
        return;
      }
      if (request.method === 'GET' && url.searchParams.get('Action') === 'ConfirmSubscription' && publisher) {
        publisher.confirmations.push(url.href.replace(url.origin, ''));
        response
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${url.searchParams.get('TopicArn')}:${randomUUID()}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
          );
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    publisher = new SnsTestPublisher(server, `http://127.0.0.1:${port}`, privateKey, pem, path);
    return publisher;
  }

  /** Signs a message as SNS does (`SignatureVersion` 1: SHA1withRSA, 2: SHA256withRSA). */
  sign(message: Omit<SnsMessage, 'Signature'>): SnsMessage {
    const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
    const Signature = createSign(algorithm)
      .update(snsStringToSign({ ...message, Signature: '' }), 'utf8')
      .sign(this.#privateKey, 'base64');
    return { ...message, Signature };
  }

  /** A signed `Notification` carrying `message`, in the shape SNS posts it. */
  notification(options: {
    topicArn: string;
    message: string;
    messageId?: string;
    subject?: string;
    signatureVersion?: '1' | '2';
    timestamp?: string;
    certificateUrl?: string;
  }): SnsMessage {
    return this.sign({
      Type: 'Notification',
      MessageId: options.messageId ?? randomUUID(),
      TopicArn: options.topicArn,
      ...(options.subject === undefined ? {} : { Subject: options.subject }),
      Message: options.message,
      Timestamp: options.timestamp ?? new Date().toISOString(),
      SignatureVersion: options.signatureVersion ?? '1',
      SigningCertURL: options.certificateUrl ?? this.certificateUrl,
      UnsubscribeURL: `${this.#origin}/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}:${randomUUID()}`,
    });
  }

  /** A signed `SubscriptionConfirmation` (or `UnsubscribeConfirmation`) whose URL points at this server. */
  confirmation(options: {
    topicArn: string;
    type?: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
    signatureVersion?: '1' | '2';
    subscribeUrl?: string;
  }): SnsMessage {
    const token = createHash('sha256').update(randomUUID()).digest('hex');
    return this.sign({
      Type: options.type ?? 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      Token: token,
      TopicArn: options.topicArn,
      Message: `You have chosen to subscribe to the topic ${options.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL:
        options.subscribeUrl ??
        `${this.#origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(options.topicArn)}&Token=${token}`,
      Timestamp: new Date().toISOString(),
      SignatureVersion: options.signatureVersion ?? '1',
      SigningCertURL: this.certificateUrl,
    });
  }

  /** The headers SNS sends with a message. */
  headers(message: SnsMessage): Record<string, string> {
    return {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': message.Type,
      'x-amz-sns-message-id': message.MessageId,
      'x-amz-sns-topic-arn': message.TopicArn,
      'user-agent': 'Amazon Simple Notification Service Agent',
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

export type SampleSesEventKind =
  | 'Delivery'
  | 'Open'
  | 'Click'
  | 'PermanentBounce'
  | 'TransientBounce'
  | 'Complaint'
  | 'DeliveryDelay'
  | 'Send';

/**
 * An SES event-publishing record (`eventType`) in the shape of AWS's documented examples, for
 * the email `emailId` that SES accepted as `messageId`. With `notification: true`, an identity
 * notification (`notificationType`, no tags) instead — Delivery, Bounce and Complaint only.
 */
export function sampleSesEvent(options: {
  kind: SampleSesEventKind;
  emailId?: string;
  messageId: string;
  recipient?: string;
  timestamp?: string;
  notification?: boolean;
}): Record<string, unknown> {
  const recipient = options.recipient ?? 'recipient@example.com';
  const timestamp = options.timestamp ?? '2026-03-01T12:00:01.000Z';
  const mail = {
    timestamp: '2026-03-01T12:00:00.000Z',
    source: 'Sender Name <sender@example.com>',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
    sendingAccountId: '123456789012',
    messageId: options.messageId,
    destination: [recipient],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Sender Name <sender@example.com>' },
      { name: 'To', value: recipient },
      { name: 'Subject', value: 'Message sent from Amazon SES' },
      ...(options.emailId === undefined ? [] : [{ name: 'X-Parley-Email-Id', value: options.emailId }]),
    ],
    commonHeaders: {
      from: ['Sender Name <sender@example.com>'],
      to: [recipient],
      messageId: options.messageId,
      subject: 'Message sent from Amazon SES',
    },
    ...(options.notification === true
      ? {}
      : {
          tags: {
            'ses:configuration-set': ['ConfigSet'],
            'ses:source-ip': ['192.0.2.0'],
            'ses:from-domain': ['example.com'],
            'ses:caller-identity': ['ses_user'],
            ...(options.emailId === undefined ? {} : { parley_email_id: [options.emailId] }),
          },
        }),
  };
  const kind = options.kind.endsWith('Bounce') ? 'Bounce' : options.kind;
  const head = options.notification === true ? { notificationType: kind } : { eventType: kind };
  switch (options.kind) {
    case 'Delivery':
      return {
        ...head,
        mail,
        delivery: {
          timestamp,
          processingTimeMillis: 546,
          recipients: [recipient],
          smtpResponse: '250 ok:  Message 64111812 accepted',
          reportingMTA: 'a8-70.smtp-out.amazonses.com',
          remoteMtaIp: '127.0.2.0',
        },
      };
    case 'Open':
      return {
        ...head,
        mail,
        open: {
          ipAddress: '192.0.2.1',
          timestamp,
          userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X)',
        },
      };
    case 'Click':
      return {
        ...head,
        mail,
        click: {
          ipAddress: '192.0.2.1',
          link: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html',
          linkTags: { samplekey0: ['samplevalue0'] },
          timestamp,
          userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        },
      };
    case 'PermanentBounce':
    case 'TransientBounce':
      return {
        ...head,
        mail,
        bounce: {
          bounceType: options.kind === 'PermanentBounce' ? 'Permanent' : 'Transient',
          bounceSubType: options.kind === 'PermanentBounce' ? 'General' : 'MailboxFull',
          bouncedRecipients: [
            {
              emailAddress: recipient,
              action: 'failed',
              status: options.kind === 'PermanentBounce' ? '5.1.1' : '4.2.2',
              diagnosticCode:
                options.kind === 'PermanentBounce'
                  ? 'smtp; 550 5.1.1 user unknown'
                  : 'smtp; 452 4.2.2 mailbox full',
            },
          ],
          timestamp,
          feedbackId: '0100015e8d2cbd3e-1f2e4c42-a0c3-4a5d-9c5d-bb8e52b8c7c9-000000',
          reportingMTA: 'dsn; e226-55.smtp-out.us-east-1.amazonses.com',
        },
      };
    case 'Complaint':
      return {
        ...head,
        mail,
        complaint: {
          feedbackId: '0100015e8d2cbd3e-4e7bdd76-c5a4-4f3c-8b1c-3c3b0f1b2bda-000000',
          complaintSubType: null,
          complainedRecipients: [{ emailAddress: recipient }],
          timestamp,
          userAgent: 'Mozilla/5.0 (Windows NT 6.1; WOW64)',
          complaintFeedbackType: 'abuse',
          arrivalDate: timestamp,
        },
      };
    case 'DeliveryDelay':
      return {
        ...head,
        mail,
        deliveryDelay: {
          timestamp,
          delayType: 'TransientCommunicationFailure',
          expirationTime: '2026-03-02T12:00:00.000Z',
          delayedRecipients: [
            { emailAddress: recipient, status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Unable to connect' },
          ],
        },
      };
    case 'Send':
      return { ...head, mail, send: {} };
  }
}
