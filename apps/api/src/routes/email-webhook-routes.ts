import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MailgunWebhook } from '@parley/adapters-mail-mailgun';
import { SendGridEventWebhook } from '@parley/adapters-mail-sendgrid';
import { SesEventWebhook } from '@parley/adapters-mail-ses';
import type { Clock, DeliveryEvent, DeliveryEventOutcome, WebhookReplayGuard } from '@parley/messaging-core';
import type { Static } from 'typebox';
import type { EmailWebhookSettings } from '../config.js';
import { HttpProblem } from '../http-errors.js';
import { replaceUnstorableText } from '../plugins/text-input-guard.js';
import { problemsExactly } from '../schemas/common.js';
import { EmailWebhookSummaryWire } from '../schemas/email-webhooks.js';

/**
 * What the tracking webhooks run against: the core's `applyDeliveryEvents` and one verifier per
 * configured provider. A provider without a verifier answers 404.
 */
export interface EmailWebhookDependencies {
  readonly applyDeliveryEvents: (
    events: readonly DeliveryEvent[],
  ) => Promise<readonly { readonly outcome: DeliveryEventOutcome }[]>;
  readonly sendgrid?: SendGridEventWebhook;
  readonly mailgun?: MailgunWebhook;
  readonly ses?: SesEventWebhook;
}

/** What the verifiers share with the rest of the server. */
export interface EmailWebhookVerifierDependencies {
  /**
   * Where Mailgun's signature tokens are claimed: the database's guard, so a replay is refused
   * by every instance and after a restart.
   */
  readonly replayGuard: WebhookReplayGuard;
  readonly clock?: Clock;
}

/**
 * One verifier per provider the configuration has a key for (the composition root calls this).
 *
 * @example
 * ```ts
 * const webhooks = {
 *   applyDeliveryEvents: email.applyDeliveryEvents,
 *   ...emailWebhookVerifiers(config.emailWebhooks, { replayGuard: new KyselyWebhookReplayGuard({ db }) }),
 * };
 * ```
 */
export function emailWebhookVerifiers(
  settings: EmailWebhookSettings,
  deps: EmailWebhookVerifierDependencies,
): Omit<EmailWebhookDependencies, 'applyDeliveryEvents'> {
  const { clock, replayGuard } = deps;
  const withClock = clock === undefined ? {} : { clock };
  return {
    ...(settings.sendgrid === undefined
      ? {}
      : { sendgrid: new SendGridEventWebhook({ ...settings.sendgrid, ...withClock }) }),
    ...(settings.mailgun === undefined
      ? {}
      : { mailgun: new MailgunWebhook({ ...settings.mailgun, replayGuard, ...withClock }) }),
    ...(settings.ses === undefined
      ? {}
      : {
          ses: new SesEventWebhook({
            topicArns: settings.ses.topicArns,
            ...withClock,
            // The test-only host override also lets a plain-http loopback certificate server through.
            ...(settings.ses.certHostPattern === undefined
              ? {}
              : { certHostPattern: settings.ses.certHostPattern, allowHttp: true }),
          }),
        }),
  };
}

function storable(text: string): string;
function storable(text: string | null): string | null;
function storable(text: string | null): string | null {
  return text === null ? null : replaceUnstorableText(text);
}

/**
 * A verified event with every unstorable character (NUL, unpaired surrogate) replaced by U+FFFD.
 * The provider's data is opaque and the event genuine: refusing it would only make the provider
 * retry it (or drop a bounce), while a replaced character keeps the event and can never make an
 * id match another log (U+FFFD is in no id Parley issues).
 */
export function storableDeliveryEvent(event: DeliveryEvent): DeliveryEvent {
  const detail: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.detail)) detail[storable(key)] = storable(value);
  return {
    ...event,
    provider: storable(event.provider),
    eventId: storable(event.eventId),
    emailId: storable(event.emailId),
    providerMessageId: storable(event.providerMessageId),
    recipient: storable(event.recipient),
    detail,
  };
}

type Summary = Static<typeof EmailWebhookSummaryWire>;
type Provider = Summary['provider'];
type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

const PROVIDERS = ['sendgrid', 'mailgun', 'ses'] as const satisfies readonly Provider[];
const PROVIDER_NAMES: Record<Provider, string> = {
  sendgrid: 'SendGrid',
  mailgun: 'Mailgun',
  ses: 'Amazon SES',
};

const SUMMARY_DESCRIPTION = {
  sendgrid:
    'SendGrid Event Webhook (a JSON array of events) with Signed Event Webhook verification: ECDSA P-256 over the X-Twilio-Email-Event-Webhook-Timestamp header + the raw body, signed within PARLEY_SENDGRID_WEBHOOK_MAX_AGE_SECONDS (default 300) of now.',
  mailgun:
    'Mailgun webhook (JSON: signature + event-data): HMAC-SHA256 of timestamp + token under PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY, a timestamp within 5 minutes, a token never seen before by any instance (claimed in the database until the window ends, so a replay is refused after a restart too).',
  ses: 'Amazon SES events through an SNS HTTPS subscription (Content-Type text/plain): SNS signature version 1 or 2 with the certificate from https://sns.<region>.amazonaws.com, TopicArn in PARLEY_SES_SNS_TOPIC_ARNS. A SubscriptionConfirmation for an allowed topic is confirmed.',
} as const satisfies Record<Provider, string>;

/**
 * `POST /api/v1/webhooks/email/{sendgrid|mailgun|ses}`: the providers' delivery tracking. No
 * bearer token: each request proves itself with the provider's signature, checked on the exact
 * bytes received (this plugin's own content-type parser keeps the raw body; JSON and text/plain
 * only). A request that does not verify is a 401 `WEBHOOK_UNVERIFIED` and changes nothing; a
 * verified one is applied through `applyDeliveryEvents` (idempotent, monotonic) and answered with
 * a summary. A provider that is not configured answers 404 `ROUTE_NOT_FOUND`.
 *
 * @example
 * ```ts
 * await app.register(emailWebhookRoutes, { prefix: '/api/v1/webhooks/email', webhooks });
 * ```
 */
export const emailWebhookRoutes: FastifyPluginAsyncTypebox<{
  readonly webhooks: EmailWebhookDependencies;
}> = async (app, options) => {
  const { webhooks } = options;
  // Encapsulated: these parsers replace the API's JSON parser for these routes only. The body
  // stays the bytes the provider signed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'buffer' },
    (_request, body, done) => {
      done(null, body);
    },
  );

  async function apply(provider: Provider, verified: readonly DeliveryEvent[]): Promise<Summary> {
    const events = verified.map(storableDeliveryEvent);
    const results = events.length === 0 ? [] : await webhooks.applyDeliveryEvents(events);
    const count = (outcome: DeliveryEventOutcome) => results.filter((r) => r.outcome === outcome).length;
    return {
      provider,
      received: events.length,
      applied: count('applied'),
      duplicates: count('duplicate'),
      unmatched: count('unmatched'),
    };
  }

  const problems = problemsExactly(400, 401, 404, 413, 415, 429, 500);
  const unverified = problems['401'];
  if (unverified) {
    problems['401'] = {
      ...unverified,
      description:
        'WEBHOOK_UNVERIFIED: the signature, timestamp, token, certificate or topic does not verify. Nothing was applied.',
    };
  }

  const { sendgrid, mailgun, ses } = webhooks;
  const handlers: Record<Provider, ((rawBody: Buffer, headers: Headers) => Promise<Summary>) | undefined> = {
    sendgrid:
      sendgrid && (async (rawBody, headers) => apply('sendgrid', sendgrid.verify({ rawBody, headers }))),
    mailgun:
      mailgun && (async (rawBody, headers) => apply('mailgun', await mailgun.verify({ rawBody, headers }))),
    ses:
      ses &&
      (async (rawBody, headers) => {
        const result = await ses.handle({ rawBody, headers });
        return {
          ...(await apply('ses', result.events)),
          subscription_confirmed: result.subscriptionConfirmed,
        };
      }),
  };

  for (const provider of PROVIDERS) {
    const handle = handlers[provider];
    app.post(
      `/${provider}`,
      {
        schema: {
          tags: ['Email webhooks'],
          operationId: `${provider}EmailWebhook`,
          summary: `${PROVIDER_NAMES[provider]} delivery tracking events`,
          description: `${SUMMARY_DESCRIPTION[provider]} No bearer token. 404 when the server has no key for ${PROVIDER_NAMES[provider]}.`,
          security: [],
          response: { 200: EmailWebhookSummaryWire, ...problems },
        },
      },
      async (request) => {
        if (handle === undefined)
          throw new HttpProblem(
            'ROUTE_NOT_FOUND',
            `the ${provider} email webhook is not configured on this server`,
          );
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return handle(rawBody, request.headers);
      },
    );
  }
};
