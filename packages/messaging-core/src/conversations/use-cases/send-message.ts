import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { MessageAttachment } from '../model/attachment.js';
import type { AppendMessageResult } from '../ports/message-repository.js';
import type { MessagingRepositories } from '../ports/messaging-store.js';
import {
  type CoreContext,
  joinTeam,
  loadForAction,
  retryIfJoinedMeanwhile,
  type VisibleConversation,
} from './context.js';
import { fingerprint, normalizeContent } from './message-content.js';
import { type ModeratedContent, moderateContent } from './moderate-content.js';
import { type MessageView, namesFor, noReceiptsYet, toMessageView } from './views.js';

/** An attachment already stored (by `AttachmentStorage`), to be recorded with the message. */
export type NewAttachment = Omit<MessageAttachment, 'messageId' | 'createdAt'>;

export interface SendMessageInput {
  readonly conversationId: string;
  /** Trimmed; may be empty only when `attachments` is not. */
  readonly content: string;
  /** Client key: the same key from the same sender returns the first message and creates nothing. */
  readonly idempotencyKey?: string;
  readonly attachments?: readonly NewAttachment[];
  /** The message's own subject (care-team); validated by the caller, stored as given. */
  readonly subject?: string;
}

export interface SendMessageResult {
  readonly message: MessageView;
  /** True when an earlier send with the same idempotency key was returned instead. */
  readonly replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Sends a message. The store gives it the conversation's next `seq` and a time never before the
 * previous message's; every other participant's unread count goes up, the sender's read state
 * moves to the new message, the conversation's activity moves and `message.sent` is recorded in
 * the event log, atomically (one statement on PostgreSQL). Refused on a closed conversation
 * (`CONVERSATION_CLOSED`); an idempotency key reused with other content fails with
 * `IDEMPOTENCY_MISMATCH`. A team member (support) who has not joined the conversation joins it
 * with this first answer, in the same transaction (`joinTeam`: `participant.added`, no system
 * message); a refused send joins nobody.
 *
 * Before anything is stored, the content moderators (`ctx.moderation`) are asked: a rejection is
 * `MESSAGE_REJECTED` with the reason the sender sees, a rewrite stores the rewritten content, a
 * flag stores and delivers it with `message.flagged`, a hold stores it for its sender only
 * (`message.held` instead of `message.sent`: no notification, no real-time frame, nobody's
 * unread count) until a reviewer approves it.
 *
 * @example
 * ```ts
 * const { message, replayed } = await core.sendMessage(
 *   { type: 'customer', id: 'c1', storeId: 's1' },
 *   { conversationId, content: 'Is it in stock?', idempotencyKey: 'f3b1…' },
 * );
 * ```
 */
export async function sendMessage(
  ctx: CoreContext,
  actor: Actor,
  input: SendMessageInput,
  /** The conversation as a caller in this module already loaded it for `send` (saves the query). */
  loaded?: VisibleConversation,
): Promise<SendMessageResult> {
  const attachments = input.attachments ?? [];
  const maxLength = await ctx.settings.number('message_max_length');
  const content = normalizeContent(input.content, maxLength, 'content', attachments.length > 0);
  if (input.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
    throw MessagingError.validation(
      'idempotency_key',
      'idempotency_key must be 1 to 255 printable ASCII characters',
    );
  }
  const visible =
    loaded?.conversation.id === input.conversationId
      ? loaded
      : await loadForAction(ctx, actor, input.conversationId, 'send');
  const { conversation } = visible;
  // Moderators run in process before the statement: the allow path adds no round trip. A
  // rejection stores nothing (`MESSAGE_REJECTED`); the hash stays the sender's own content, so
  // a retry of the same send is still recognized.
  const moderated: ModeratedContent =
    ctx.moderation === undefined
      ? { content }
      : await moderateContent(ctx, actor, conversation, 'send', content);

  const now = ctx.clock.now();
  const messageId = ctx.ids.next();
  const requestHash = fingerprint([
    conversation.id,
    content,
    ...attachments.map((a) => `${a.originalFilename}|${a.fileSize}|${a.mimeType}`),
  ]);
  const appendTo = (repositories: MessagingRepositories) =>
    repositories.messages.append({
      message: {
        id: messageId,
        conversationId: conversation.id,
        sender: { type: actor.type, id: actor.id },
        content: moderated.content,
        isSystemMessage: false,
        createdAt: now,
        ...(moderated.moderation === undefined ? {} : { moderation: moderated.moderation }),
        attachments: attachments.map((a) => ({ ...a, messageId, createdAt: now })),
        ...(input.subject === undefined ? {} : { subject: input.subject }),
      },
      ...(input.idempotencyKey === undefined
        ? {}
        : { idempotency: { key: input.idempotencyKey, requestHash } }),
      requireOpen: true,
    });
  const refusal = (status: 'conversation_closed' | 'conversation_not_found') =>
    status === 'conversation_closed'
      ? new MessagingError('CONVERSATION_CLOSED', `conversation ${conversation.id} is closed`)
      : MessagingError.notFound('conversation', input.conversationId);
  // Just sent: nobody else has it yet, so the send path reads no receipts (a replay says the same).
  const sentReceipts = noReceiptsYet(visible.participants.length + (visible.onTeam ? 1 : 0));

  if (visible.onTeam) {
    // A team member's first answer makes them a member (no system message), in the same transaction.
    return retryIfJoinedMeanwhile(
      visible,
      async () =>
        answer(
          await ctx.store.transaction(async (tx) => {
            await joinTeam(ctx, tx, actor, visible);
            const appended = await appendTo(tx);
            // Refused: throw, so the join rolls back with it.
            if (appended.status === 'conversation_closed' || appended.status === 'conversation_not_found')
              throw refusal(appended.status);
            return appended;
          }),
        ),
      () => sendMessage(ctx, actor, input),
    );
  }
  return answer(await appendTo(ctx.store));

  async function answer(result: AppendMessageResult): Promise<SendMessageResult> {
    switch (result.status) {
      case 'conversation_not_found':
      case 'conversation_closed':
        throw refusal(result.status);
      case 'duplicate': {
        if (result.requestHash !== requestHash || result.message.conversationId !== conversation.id) {
          throw new MessagingError(
            'IDEMPOTENCY_MISMATCH',
            'idempotency_key was already used for a different message',
            { field: 'idempotency_key' },
          );
        }
        const names = await namesFor(ctx.directory, [result.message.sender], actor);
        return { message: toMessageView(result.message, names, sentReceipts), replayed: true };
      }
      case 'created': {
        const names = await namesFor(ctx.directory, [result.message.sender], actor);
        return { message: toMessageView(result.message, names, sentReceipts), replayed: false };
      }
    }
  }
}
