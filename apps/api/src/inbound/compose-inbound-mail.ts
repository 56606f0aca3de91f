import { deriveReplyTokenKey, HmacReplyTokenSigner } from '@parley/adapters-crypto';
import { SnsMessageVerifier } from '@parley/adapters-mail-ses';
import {
  type Clock,
  type InboundReplyDependencies,
  type ReplyAddressSettings,
  receiveInboundReply,
  type WebhookReplayGuard,
} from '@parley/messaging-core';
import type { InboundMailSettings } from '../config.js';
import type { InboundMailDependencies } from '../routes/inbound-mail-routes.js';
import { inboundReceiver, type ReceiveInboundEmail } from './inbound-mail.js';
import { type SmtpInboundListener, startSmtpInboundListener } from './smtp-inbound-listener.js';

/** What reply by email needs from the rest of the composition root. */
export interface InboundMailPorts
  extends Omit<InboundReplyDependencies, 'domain' | 'signer' | 'bounces' | 'clock'> {
  /** The JWT secret: the reply-token key is derived from it when `PARLEY_INBOUND_SECRET` is unset. */
  readonly jwtSecret: string;
  /** Shared across instances: Mailgun tokens and bounced emails are claimed here. */
  readonly replayGuard: WebhookReplayGuard;
  /** `PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY`, when set: the Mailgun route verifies with it. */
  readonly mailgunSigningKey: string | undefined;
  readonly clock: Clock;
}

/** Reply by email, composed: the notification pipeline's addresses, the routes, the SMTP listener. */
export interface ComposedInboundMail {
  readonly replyAddresses: ReplyAddressSettings;
  readonly receive: ReceiveInboundEmail;
  readonly routes: InboundMailDependencies;
  /** Starts the SMTP listener when `PARLEY_INBOUND_SMTP_PORT` is set; else resolves null. */
  startSmtp(
    logger: NonNullable<Parameters<typeof startSmtpInboundListener>[0]['logger']>,
  ): Promise<SmtpInboundListener | null>;
}

/**
 * Builds reply by email from its settings: one HMAC signer for issuing and checking addresses,
 * one `receiveInboundReply` for every inbound path.
 *
 * @example
 * ```ts
 * const inbound = config.inbound && composeInboundMail(config.inbound, { ...ports });
 * ```
 */
export function composeInboundMail(
  settings: InboundMailSettings,
  ports: InboundMailPorts,
): ComposedInboundMail {
  const signer = new HmacReplyTokenSigner(settings.secret ?? deriveReplyTokenKey(ports.jwtSecret));
  const deps: InboundReplyDependencies = {
    domain: settings.domain,
    signer,
    conversations: ports.conversations,
    participants: ports.participants,
    directory: ports.directory,
    messaging: ports.messaging,
    renderEmail: ports.renderEmail,
    sendEmail: ports.sendEmail,
    bounces: ports.replayGuard,
    clock: ports.clock,
  };
  const receive = inboundReceiver((email) => receiveInboundReply(deps, email));
  const routes: InboundMailDependencies = {
    receive,
    maxBytes: settings.maxBytes,
    ...(settings.webhookPassword === undefined ? {} : { sendgridPassword: settings.webhookPassword }),
    ...(ports.mailgunSigningKey === undefined
      ? {}
      : {
          mailgun: {
            signingKey: ports.mailgunSigningKey,
            replayGuard: ports.replayGuard,
            clock: ports.clock,
          },
        }),
    ...(settings.sesTopicArns.length === 0
      ? {}
      : {
          ses: new SnsMessageVerifier({
            topicArns: settings.sesTopicArns,
            clock: ports.clock,
            ...(settings.snsCertHostPattern === undefined
              ? {}
              : { certHostPattern: settings.snsCertHostPattern, allowHttp: true }),
          }),
        }),
  };
  return {
    replyAddresses: { domain: settings.domain, signer, ttlMs: settings.tokenTtlMs },
    receive,
    routes,
    startSmtp: async (logger) =>
      settings.smtp === null
        ? null
        : startSmtpInboundListener({
            host: settings.smtp.host,
            port: settings.smtp.port,
            domain: settings.domain,
            maxBytes: settings.maxBytes,
            receive,
            logger,
          }),
  };
}
