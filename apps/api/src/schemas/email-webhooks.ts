import { Type } from 'typebox';

/** What a verified webhook did to the email log. */
export const EmailWebhookSummaryWire = Type.Object({
  provider: Type.String({ enum: ['sendgrid', 'mailgun', 'ses'] }),
  received: Type.Integer({
    minimum: 0,
    description: 'Delivery events found in the request (events the log does not track are not counted).',
  }),
  applied: Type.Integer({ minimum: 0, description: 'Events that updated an email log.' }),
  duplicates: Type.Integer({ minimum: 0, description: 'Events already applied before: nothing changed.' }),
  unmatched: Type.Integer({
    minimum: 0,
    description: 'Events naming no known email (or another provider’s): nothing recorded.',
  }),
  subscription_confirmed: Type.Optional(
    Type.Boolean({ description: 'SES only: an SNS SubscriptionConfirmation was confirmed.' }),
  ),
});
