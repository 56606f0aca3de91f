import { Type } from 'typebox';

/** What an inbound email (a reply to a notification) came to. */
export const InboundMailReceiptWire = Type.Object({
  status: Type.String({
    enum: ['sent', 'duplicate', 'bounced', 'ignored', 'subscription_confirmed'],
    description:
      '`sent`: posted into the conversation; `duplicate`: this Message-ID was posted before (nothing new); `bounced`: refused, the sender got a bounce email; `ignored`: automatic mail (auto-replies, delivery reports) or an SNS message without mail content; `subscription_confirmed`: an SNS subscription was confirmed.',
  }),
  reason: Type.Optional(
    Type.String({
      description:
        'Why it bounced (`invalid_token`, `expired_token`, `sender_refused`, `conversation_closed`, `empty_reply`, `content_refused`) or was ignored (`automatic`, `no_content`).',
    }),
  ),
});
