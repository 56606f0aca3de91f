import type { MessagingCore } from '../../conversations/messaging-core.js';
import type { ConversationRepository } from '../../conversations/ports/conversation-repository.js';
import type { ParticipantRepository } from '../../conversations/ports/participant-repository.js';
import type { UploadedFile } from '../../conversations/use-cases/send-message-with-attachments.js';
import type { RenderEmailInput, RenderedEmail } from '../../email/email-templates-core.js';
import type { WebhookReplayGuard } from '../../email/ports/webhook-replay-guard.js';
import type { SendEmailInput, SendEmailResult } from '../../email/use-cases/send-email.js';
import { isMessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import {
  decodeReplyToken,
  issueReplyToken,
  matchReplyToken,
  REPLY_ADDRESS_PREFIX,
  replyTokenFromAddress,
} from '../model/reply-token.js';
import type { ReplyTokenSigner } from '../ports/reply-token-signer.js';

/** The template a refused reply's bounce is rendered from (en, fr, de in the catalogue). */
export const INBOUND_BOUNCE_TEMPLATE = 'inbound_bounce';
/** How long a bounce is remembered, so a provider's redelivery of the same mail bounces once. */
const BOUNCE_MEMORY_MS = 30 * 86_400_000;

/**
 * Why a reply became a bounce instead of a message:
 * - `invalid_token`: no reply address of ours, or one that is forged, altered, or issued to
 *   nobody in that conversation any more;
 * - `expired_token`: a genuine address past its expiry;
 * - `sender_refused`: the From address is not the email of the person the address was issued to,
 *   or the access policy refuses them the send;
 * - `conversation_closed`;
 * - `empty_reply`: nothing left once quoted history and signature are stripped, and no file;
 * - `content_refused`: the text or a file broke a rule uploads follow (size, type, count, length).
 */
export type InboundBounceReason =
  | 'invalid_token'
  | 'expired_token'
  | 'sender_refused'
  | 'conversation_closed'
  | 'empty_reply'
  | 'content_refused';

/** One received email, parsed by the transport (provider webhook or SMTP listener). */
export interface InboundEmail {
  /**
   * Stable for this email across deliveries and providers: the transport's digest of its
   * Message-ID (of its raw bytes when it has none). Printable ASCII, at most 200 characters.
   */
  readonly dedupeKey: string;
  /** The sender's address (the From header). */
  readonly from: string;
  /** Every recipient the transport knows (envelope recipients first, then To and Cc). */
  readonly recipients: readonly string[];
  /** The new text of the reply: quoted history and signature already removed. */
  readonly text: string;
  /** The attached files (inline images included), in order. */
  readonly attachments: readonly { readonly filename: string; readonly content: Uint8Array }[];
}

export type InboundReplyOutcome =
  | {
      readonly status: 'sent' | 'duplicate';
      readonly conversationId: string;
      readonly messageId: string;
      readonly sender: ParticipantRef;
    }
  | {
      readonly status: 'bounced';
      readonly reason: InboundBounceReason;
      /** Whether the bounce email went out now (false: already bounced once, or its send failed). */
      readonly bounceSent: boolean;
      /** What was refused, for logs (never sent to the sender beyond the template). */
      readonly detail: string;
    };

/** What reply addresses are made of: the domain, the signer, and how long one lives. */
export interface ReplyAddressSettings {
  /** The domain whose mail reaches Parley (`PARLEY_INBOUND_DOMAIN`), e.g. `inbound.example.com`. */
  readonly domain: string;
  readonly signer: ReplyTokenSigner;
  /** How long an address is accepted after the email carrying it was sent. */
  readonly ttlMs: number;
}

/**
 * The reply address for one recipient of one conversation: `reply+<token>@<domain>`, valid for
 * `ttlMs` from `now` (see `issueReplyToken`). Null when the token would not fit a 64-character
 * local part; the email then goes without it.
 *
 * @example
 * ```ts
 * replyAddress(settings, { type: 'customer', id: 'c1' }, conversationId, clock.now());
 * // "reply+aeaj…@inbound.example.com"
 * ```
 */
export function replyAddress(
  settings: ReplyAddressSettings,
  participant: ParticipantRef,
  conversationId: string,
  now: Date,
): string | null {
  const token = issueReplyToken(
    settings.signer,
    participant,
    conversationId,
    new Date(now.getTime() + settings.ttlMs),
  );
  return token === null ? null : `${REPLY_ADDRESS_PREFIX}${token}@${settings.domain}`;
}

export interface InboundReplyDependencies {
  readonly domain: string;
  readonly signer: ReplyTokenSigner;
  readonly conversations: Pick<ConversationRepository, 'findById'>;
  readonly participants: Pick<ParticipantRepository, 'listByConversation'>;
  readonly directory: Pick<Directory, 'resolve'>;
  /** The API's own send: the same use case, policy and upload checks. */
  readonly messaging: Pick<MessagingCore, 'sendMessageWithAttachments'>;
  /** `EmailTemplatesCore.renderEmail`. */
  readonly renderEmail: (input: RenderEmailInput) => Promise<RenderedEmail>;
  /** `EmailCore.sendEmail`: bounces go through the platform's transport (`storeId: null`). */
  readonly sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
  /** Remembers which emails were bounced already (shared across processes). */
  readonly bounces: WebhookReplayGuard;
  readonly clock?: Clock;
}

/** Codes of a send that mean the content broke an upload or message rule. */
const CONTENT_CODES: ReadonlySet<string> = new Set([
  'VALIDATION',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

async function* filesOf(email: InboundEmail): AsyncIterable<UploadedFile> {
  for (const file of email.attachments) {
    yield {
      originalFilename: file.filename,
      content: (async function* () {
        if (file.content.byteLength > 0) yield file.content;
      })(),
    };
  }
}

/**
 * Turns a reply to a notification email into a message in its conversation, sent as the person
 * the reply address was issued to, through `sendMessageWithAttachments` — the API's own send,
 * with its access policy, closed-conversation rule and upload validation (type from the bytes,
 * size and count limits, images decoded). The same email delivered again (a provider retry, two
 * providers, a replay) creates one message: its `dedupeKey` is the send's idempotency key,
 * claimed atomically with the message.
 *
 * A reply that cannot become a message gets one polite bounce (template `inbound_bounce` in the
 * sender's language, through the platform transport) and creates nothing: see
 * `InboundBounceReason`. A forged token and an unknown sender get the same answer as absence
 * (`invalid_token` / `sender_refused`), never who the address belongs to.
 *
 * Side effects: the message (its event, notifications, attachment files) through the send use
 * case; the bounce email and its email log; a claim in `bounces` per bounced email (30 days).
 * Unexpected failures (the database down) are thrown, so the transport answers 5xx and the
 * provider retries.
 *
 * @example
 * ```ts
 * const outcome = await receiveInboundReply(deps, {
 *   dedupeKey: 'mid:3q2…', from: 'ana@example.com', recipients: ['reply+aeaj…@inbound.example.com'],
 *   text: 'Yes, Tuesday works.', attachments: [],
 * });
 * outcome.status; // "sent"
 * ```
 */
export async function receiveInboundReply(
  deps: InboundReplyDependencies,
  email: InboundEmail,
): Promise<InboundReplyOutcome> {
  const now = (deps.clock ?? systemClock).now();
  const bounce = (reason: InboundBounceReason, detail: string, language?: string, subject?: string) =>
    sendBounce(deps, email, now, { reason, detail, language: language ?? 'en', subject: subject ?? '' });

  const token = email.recipients
    .map((address) => replyTokenFromAddress(address, deps.domain))
    .find((found) => found !== null);
  if (token === undefined || token === null) return bounce('invalid_token', 'no reply address of ours');
  const decoded = decodeReplyToken(token);
  if (decoded === null) return bounce('invalid_token', 'the reply token does not decode');
  const conversation = await deps.conversations.findById(decoded.conversationId);
  if (conversation === null) return bounce('invalid_token', 'the reply token does not verify');
  const members = await deps.participants.listByConversation(conversation.id);
  const sender = matchReplyToken(
    deps.signer,
    decoded,
    members.map((m) => m.participant),
  );
  if (sender === null) return bounce('invalid_token', 'the reply token does not verify');
  const entry = await deps.directory.resolve(sender);
  const language = entry?.locale;
  if (decoded.expiresAt.getTime() < now.getTime())
    return bounce(
      'expired_token',
      `expired ${decoded.expiresAt.toISOString()}`,
      language,
      conversation.subject,
    );
  if (entry === null || entry.email === null || !sameAddress(entry.email, email.from))
    return bounce('sender_refused', 'the From address is not the addressee of the notification', language);
  if (conversation.isClosed)
    return bounce(
      'conversation_closed',
      `conversation ${conversation.id} is closed`,
      language,
      conversation.subject,
    );
  if (email.text.trim() === '' && email.attachments.length === 0)
    return bounce(
      'empty_reply',
      'no text left after removing quotes, and no file',
      language,
      conversation.subject,
    );

  const actor: Actor = { type: sender.type, id: sender.id, tenantId: entry.storeId, name: entry.name };
  try {
    const { message, replayed } = await deps.messaging.sendMessageWithAttachments(actor, {
      conversationId: conversation.id,
      content: email.text,
      idempotencyKey: `email:${email.dedupeKey}`,
      files: filesOf(email),
    });
    return {
      status: replayed ? 'duplicate' : 'sent',
      conversationId: conversation.id,
      messageId: message.id,
      sender,
    };
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    if (error.code === 'IDEMPOTENCY_MISMATCH')
      // The same email parsed differently (another provider's parser): it was posted already.
      return { status: 'duplicate', conversationId: conversation.id, messageId: '', sender };
    if (error.code === 'CONVERSATION_CLOSED')
      return bounce('conversation_closed', error.message, language, conversation.subject);
    if (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')
      return bounce('sender_refused', error.message, language, conversation.subject);
    if (CONTENT_CODES.has(error.code))
      return bounce('content_refused', error.message, language, conversation.subject);
    throw error;
  }
}

async function sendBounce(
  deps: InboundReplyDependencies,
  email: InboundEmail,
  now: Date,
  bounce: { reason: InboundBounceReason; detail: string; language: string; subject: string },
): Promise<InboundReplyOutcome> {
  const refused = { status: 'bounced', reason: bounce.reason, detail: bounce.detail } as const;
  const first = await deps.bounces.claim({
    provider: 'inbound-bounce',
    token: email.dedupeKey,
    expiresAt: new Date(now.getTime() + BOUNCE_MEMORY_MS),
    now,
  });
  if (!first) return { ...refused, bounceSent: false };
  const rendered = await deps.renderEmail({
    code: INBOUND_BOUNCE_TEMPLATE,
    language: bounce.language,
    storeId: null,
    variables: { reason: bounce.reason, conversation_subject: bounce.subject },
  });
  const { error } = await deps.sendEmail({
    storeId: null,
    to: { address: email.from },
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    templateCode: rendered.templateCode,
    relatedType: 'inbound_reply',
    extraData: { reason: bounce.reason },
    // No loops: auto-responders and our own inbound path ignore auto-submitted mail.
    headers: { 'Auto-Submitted': 'auto-replied' },
  });
  return { ...refused, bounceSent: error === null };
}
