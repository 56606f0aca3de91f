import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type Message, type MessageRevision, revisionOf } from '../model/message.js';
import {
  type CoreContext,
  enforce,
  loadForAction,
  loadForView,
  observerMembership,
  perSide,
  visibleTo,
} from './context.js';
import { normalizeContent } from './message-content.js';
import { moderateContent } from './moderate-content.js';
import { receiptsFor } from './receipts.js';
import { displayName, type MessageView, namesFor, type ParticipantView, toMessageView } from './views.js';

export interface EditMessageInput {
  readonly conversationId: string;
  readonly messageId: string;
  /** The new content: trimmed, not empty, at most `message_max_length` characters. */
  readonly content: unknown;
  /**
   * The revision the editor saw (HTTP `If-Match`): when the message is at another one now, the
   * edit is refused with `REVISION_MISMATCH`. Absent: the edit applies to whatever is current.
   */
  readonly expectedRevision?: number;
}

/** One version of a message as the revision history shows it. */
export interface MessageRevisionView {
  readonly revision: number;
  readonly content: string;
  readonly editor: ParticipantView;
  /** When this version was written (the send for revision 1). */
  readonly createdAt: Date;
  /** True for the message's current content (the last item). */
  readonly current: boolean;
}

export interface MessageRevisionList {
  readonly messageId: string;
  /** Oldest first: revision 1 (as sent) … the current one. */
  readonly revisions: readonly MessageRevisionView[];
}

/** How many times an edit without `expectedRevision` is tried again when another edit lands first. */
const EDIT_ATTEMPTS = 3;

/**
 * Edits the content of a message, in order:
 * - the actor must see the conversation and the message (else `NOT_FOUND`, as for a missing one;
 *   a per-side delete hides it from its deleter);
 * - a deleted message cannot be edited (`CONFLICT`), nor one of a closed conversation
 *   (`CONVERSATION_CLOSED`);
 * - the policy decides who (`decideEditMessage`: its sender; the marketplace refuses a customer
 *   whose message was answered), then the platform's `message_edit_window_minutes` since the
 *   send (`FORBIDDEN` past it);
 * - `expectedRevision` other than the current one is `REVISION_MISMATCH`;
 * - content equal to the current one changes nothing (no revision, no event);
 * - the content moderators are asked (`MESSAGE_REJECTED` for a reject or a hold; a rewrite is
 *   stored; a flag marks the message `flagged` and records `message.flagged`).
 *
 * Then, in one transaction: the replaced version is kept (`MessageRepository.edit`: a
 * `MessageRevision`), the message takes the content, `revision` + 1 and `editedAt`, and
 * `message.updated` is recorded. Returns the message as the editor now sees it.
 *
 * @example
 * ```ts
 * const view = await core.editMessage(actor, { conversationId, messageId, content: 'Fixed typo', expectedRevision: 1 });
 * view.revision; // 2
 * ```
 */
export async function editMessage(
  ctx: CoreContext,
  actor: Actor,
  input: EditMessageInput,
): Promise<MessageView> {
  const { conversationId, messageId } = input;
  for (let attempt = 1; ; attempt += 1) {
    const { conversation, membership } = await loadForAction(ctx, actor, conversationId, 'view');
    const found = await ctx.store.messages.findById(conversationId, messageId);
    if (!found || !visibleTo(membership, found)) throw MessagingError.notFound('message', messageId);
    if (perSide(ctx, conversation)) {
      const hiders = await ctx.store.messages.hiddenBy(conversationId, messageId);
      if (hiders.some((h) => h.type === actor.type && h.id === actor.id))
        throw MessagingError.notFound('message', messageId);
    }
    if (found.isDeleted) throw new MessagingError('CONFLICT', 'a deleted message cannot be edited');
    if (conversation.isClosed)
      throw new MessagingError('CONVERSATION_CLOSED', 'messages of a closed conversation cannot be edited');
    const answered = ctx.policy.readsAnswered()
      ? await ctx.store.messages.answeredAfter(conversationId, found.seq, found.sender)
      : false;
    enforce(ctx.policy.decideEditMessage(actor, found, membership, { answered }));
    const now = ctx.clock.now();
    const windowMinutes = await ctx.settings.number('message_edit_window_minutes');
    if (now.getTime() - found.createdAt.getTime() > windowMinutes * 60_000)
      throw MessagingError.forbidden(
        `a message can only be edited within ${windowMinutes} minutes of sending it`,
      );
    const current = revisionOf(found);
    if (input.expectedRevision !== undefined && input.expectedRevision !== current) {
      throw new MessagingError(
        'REVISION_MISMATCH',
        `message ${messageId} is at revision ${current}, not ${input.expectedRevision}`,
        { details: { currentRevision: current } },
      );
    }
    const maxLength = await ctx.settings.number('message_max_length');
    const content = normalizeContent(input.content, maxLength, 'content', found.attachments.length > 0);
    if (content === found.content) return viewOf(found);
    // The content moderators, before anything is stored: a rejection is `MESSAGE_REJECTED`; a
    // rewrite edits to the rewritten content; a flag queues the message for review. A hold is
    // refused like a rejection: the message was already delivered, and an edit cannot be taken
    // back from those who read it — the sender keeps the version that passed.
    const moderated = await moderateContent(ctx, actor, conversation, 'edit', content);
    if (moderated.moderation?.state === 'held') {
      const reason = moderated.moderation.reason;
      throw new MessagingError('MESSAGE_REJECTED', `the edit was rejected: ${reason}`, {
        field: 'content',
        details: { reason },
      });
    }
    if (moderated.content === found.content) return viewOf(found);
    const flagged =
      moderated.moderation?.state === 'flagged' ? { reason: moderated.moderation.reason } : undefined;
    const by = { type: actor.type, id: actor.id };
    const result = await ctx.store.transaction(async (tx) => {
      const edited = await tx.messages.edit(conversationId, messageId, {
        content: moderated.content,
        editor: by,
        at: now,
        expectedRevision: current,
        ...(flagged === undefined ? {} : { flagged }),
      });
      if (edited.status !== 'edited') return edited;
      if (flagged !== undefined)
        await tx.events.append([
          {
            type: 'message.flagged',
            occurredAt: now,
            actor: by,
            tenantId: conversation.tenantId,
            conversationId,
            message: edited.message,
            reason: flagged.reason,
          },
        ]);
      await tx.events.append([
        {
          type: 'message.updated',
          occurredAt: now,
          ...originOf(actor),
          actor: by,
          tenantId: conversation.tenantId,
          conversationId,
          message: edited.message,
          previousRevision: current,
        },
      ]);
      return edited;
    });
    switch (result.status) {
      case 'edited':
        return viewOf(result.message);
      case 'not_found':
        throw MessagingError.notFound('message', messageId);
      case 'deleted':
        throw new MessagingError('CONFLICT', 'a deleted message cannot be edited');
      case 'stale':
        // Edited meanwhile: the editor named a revision that is gone, or we try again on the new one.
        if (input.expectedRevision !== undefined || attempt >= EDIT_ATTEMPTS) {
          const now = revisionOf(result.message);
          throw new MessagingError(
            'REVISION_MISMATCH',
            `message ${messageId} is at revision ${now}, not ${current}`,
            { details: { currentRevision: now } },
          );
        }
    }
  }

  async function viewOf(m: Message): Promise<MessageView> {
    const participants = await ctx.store.participants.listByConversation(conversationId);
    const [names, receipts] = await Promise.all([
      namesFor(ctx.directory, [m.sender], actor),
      receiptsFor(ctx, conversationId, participants, [m]),
    ]);
    return toMessageView(m, names, receipts.get(m.id));
  }
}

/**
 * The versions of a message, oldest first, the current one last — for those the policy allows
 * (`decideViewRevisions`: members, and in the care-team also monitoring admins). A message the
 * actor may not see is `NOT_FOUND`; a deleted one has no history to show (`NOT_FOUND` too: its
 * content is gone for everyone). Reads only (a monitoring read is not recorded here: the
 * conversation's own reads are).
 *
 * @example
 * ```ts
 * const { revisions } = await core.listMessageRevisions(actor, conversationId, messageId);
 * revisions.map((r) => r.content); // ['Helo', 'Hello']
 * ```
 */
export async function listMessageRevisions(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  messageId: string,
): Promise<MessageRevisionList> {
  const visible = await loadForView(ctx, actor, conversationId);
  const membership = visible.membership ?? observerMembership(visible.conversation, actor);
  const found = await ctx.store.messages.findById(conversationId, messageId);
  if (!found || !visibleTo(membership, found) || found.isDeleted)
    throw MessagingError.notFound('message', messageId);
  if (perSide(ctx, visible.conversation)) {
    const hiders = await ctx.store.messages.hiddenBy(conversationId, messageId);
    if (hiders.some((h) => h.type === actor.type && h.id === actor.id))
      throw MessagingError.notFound('message', messageId);
  }
  enforce(ctx.policy.decideViewRevisions(actor, found, membership));
  const stored = await ctx.store.messages.revisions(conversationId, messageId);
  // Never edited: its one version is the message as sent.
  const all: readonly MessageRevision[] =
    stored.length > 0
      ? stored
      : [
          {
            messageId,
            revision: 1,
            content: found.content,
            editor: found.sender,
            createdAt: found.createdAt,
          },
        ];
  const names = await namesFor(
    ctx.directory,
    all.map((r) => r.editor),
  );
  return {
    messageId,
    revisions: all.map((r, i) => ({
      revision: r.revision,
      content: r.content,
      editor: { ref: { type: r.editor.type, id: r.editor.id }, name: displayName(names, r.editor) },
      createdAt: r.createdAt,
      current: i === all.length - 1,
    })),
  };
}
