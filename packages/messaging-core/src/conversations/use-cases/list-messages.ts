import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import { type CoreContext, loadForView, observerMembership, visibleTo } from './context.js';
import { decodeMessageCursor, encodeMessageCursor } from './cursor.js';
import { readMessages } from './get-conversation.js';
import { receiptsFor } from './receipts.js';
import { type MessageView, namesFor, toMessageView } from './views.js';

export interface ListMessagesInput {
  /** 1–100, default 50. */
  readonly limit?: number;
  /** `nextCursor` from `getConversation` or a previous page: returns older messages. */
  readonly cursor?: string;
}

export interface MessageList {
  /** Newest first. */
  readonly messages: readonly MessageView[];
  readonly nextCursor: string | null;
}

/**
 * History of a conversation, newest first (`seq` descending), in keyset pages going back. Visible
 * as in `getConversation` (monitoring non-members included, each read recorded; per-side deletes
 * left out).
 *
 * @example
 * ```ts
 * const older = await core.listMessages(actor, conversationId, { cursor: detail.nextCursor! });
 * ```
 */
export async function listMessages(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  input: ListMessagesInput = {},
): Promise<MessageList> {
  const limit = parseLimit(input.limit, 50);
  const cursor = input.cursor === undefined ? undefined : decodeMessageCursor(input.cursor, conversationId);
  const visible = await loadForView(ctx, actor, conversationId);
  const membership = visible.membership ?? observerMembership(visible.conversation, actor);
  let beforeSeq: number | undefined;
  if (cursor !== undefined && 'seq' in cursor) beforeSeq = cursor.seq;
  else if (cursor !== undefined) {
    const from = await ctx.store.messages.findById(conversationId, cursor.messageId);
    if (!from || !visibleTo(membership, from))
      throw MessagingError.validation('cursor', 'cursor is not a valid cursor for this conversation');
    beforeSeq = from.seq;
  }
  const fromSeq = membership.visibleFromSeq;
  const page = await readMessages(
    ctx,
    actor,
    visible,
    beforeSeq === undefined ? { limit, fromSeq } : { limit, beforeSeq, fromSeq },
  );
  const [names, receipts] = await Promise.all([
    namesFor(
      ctx.directory,
      page.messages.map((m) => m.sender),
    ),
    receiptsFor(ctx, conversationId, visible.participants, page.messages),
  ]);
  const oldest = page.messages.at(-1);
  return {
    messages: page.messages.map((m) => toMessageView(m, names, receipts.get(m.id))),
    nextCursor: page.hasMore && oldest ? encodeMessageCursor({ conversationId, seq: oldest.seq }) : null,
  };
}
