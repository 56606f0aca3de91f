import { MessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import { type Actor, type ParticipantRef, sameParticipant } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { Message } from '../model/message.js';
import type { InboxFilter } from '../ports/conversation-repository.js';
import {
  assertActor,
  type CoreContext,
  enforce,
  loadForView,
  pairKey,
  perSide,
  visibleTo,
} from './context.js';
import { createConversation } from './create-conversation.js';
import { deleteMessage } from './delete-message.js';
import { readMessages } from './get-conversation.js';
import { withVisibleLastMessages } from './list-conversations.js';
import { sendMessage } from './send-message.js';
import { namesFor } from './views.js';

/**
 * The use cases of presets whose people are named by a username alone and talk in one
 * conversation per pair (care-team): who, not which conversation, is what clients name. They
 * run on the same store, policy and events as the generic use cases.
 */

/** Longest username accepted (ids are at most 255 characters everywhere). */
const MAX_USERNAME = 255;

/** A message as a username-addressed client sees it. */
export interface DirectMessageView {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly sender: ParticipantRef;
  /** The other member of the pair. */
  readonly recipient: ParticipantRef;
  readonly content: string;
  readonly subject: string | null;
  /** Whether the recipient's read state covers it. */
  readonly isRead: boolean;
  /** When the recipient's read state first covered it; null while unread. */
  readonly readAt: Date | null;
  readonly sentAt: Date;
}

export interface SendDirectMessageInput {
  /** The recipient's username. */
  readonly recipient: string;
  /** The message's subject, if any (the route bounds its length). */
  readonly subject?: string;
  readonly content: string;
}

export interface DirectInboxInput {
  /** From 1. */
  readonly page: number;
  readonly limit: number;
  readonly unreadOnly?: boolean;
}

/** One counterpart of the actor's inbox. */
export interface DirectInboxRow {
  readonly withUser: ParticipantRef;
  /** The latest message the actor still sees, or null. */
  readonly lastMessage: Message | null;
  /** The latest visible message's time, else the conversation's latest activity. */
  readonly lastMessageTime: Date;
  readonly unreadCount: number;
  readonly isLatestFromThem: boolean;
}

export interface DirectInbox {
  readonly rows: readonly DirectInboxRow[];
  readonly totalUnread: number;
  readonly totalConversations: number;
}

export interface DirectConversation {
  /** Oldest first: the latest `limit` messages the actor sees. */
  readonly messages: readonly DirectMessageView[];
  readonly participantCount: number;
}

/** A block, as its author lists it. */
export interface BlockView {
  readonly blocked: ParticipantRef;
  readonly name: string;
  readonly createdAt: Date;
}

function username(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_USERNAME)
    throw MessagingError.validation(field, `${field} must be a username of 1 to ${MAX_USERNAME} characters`);
  return value;
}

/**
 * The one person behind a username: looked up under each participant type of the policy (a
 * username names one person, whatever their role).
 */
async function findPerson(ctx: CoreContext, name: string): Promise<DirectoryEntry | null> {
  const found = await ctx.directory.resolveMany(
    ctx.policy.participantTypes.map((type) => ({ type, id: name })),
  );
  return [...found.values()][0] ?? null;
}

async function requirePerson(ctx: CoreContext, name: string, field: string): Promise<DirectoryEntry> {
  const entry = await findPerson(ctx, name);
  if (!entry) throw new MessagingError('NOT_FOUND', `user ${name} not found`, { field });
  return entry;
}

/** The one-per-pair conversation type in which these two types talk. */
function pairType(ctx: CoreContext, a: string, b: string): string {
  const spec = ctx.policy.definition.conversationTypes.find(
    (c) => c.onePerPair === true && c.participantTypes.includes(a) && c.participantTypes.includes(b),
  );
  if (!spec) throw MessagingError.forbidden(`a ${a} and a ${b} have no direct conversations`);
  return spec.type;
}

/** Read state of a page for each message's recipient (the other member of the pair). */
async function withReadState(
  ctx: CoreContext,
  conversationId: string,
  members: readonly { readonly participant: ParticipantRef; readonly lastReadSeq: number }[],
  messages: readonly Message[],
): Promise<DirectMessageView[]> {
  const recipientOf = (m: Message) => members.find((p) => !sameParticipant(p.participant, m.sender)) ?? null;
  const readTimes = new Map<string, Map<number, Date>>();
  for (const member of members) {
    const seqs = messages
      .filter((m) => recipientOf(m) === member && m.seq <= member.lastReadSeq)
      .map((m) => m.seq);
    readTimes.set(
      `${member.participant.type}:${member.participant.id}`,
      seqs.length === 0
        ? new Map()
        : await ctx.store.participants.readTimes(conversationId, member.participant, seqs),
    );
  }
  return messages.map((m) => {
    const recipient = recipientOf(m);
    const isRead = recipient !== null && m.seq <= recipient.lastReadSeq;
    const readAt = recipient
      ? (readTimes.get(`${recipient.participant.type}:${recipient.participant.id}`)?.get(m.seq) ?? null)
      : null;
    return {
      id: m.id,
      conversationId,
      seq: m.seq,
      sender: m.sender,
      recipient: recipient?.participant ?? m.sender,
      content: m.content,
      subject: m.subject ?? null,
      isRead,
      readAt: isRead ? readAt : null,
      sentAt: m.createdAt,
    };
  });
}

/**
 * Sends a message to a person named by username, in the pair's one conversation: started (as the
 * policy allows `start`, e.g. not a user to a clinician) when the pair has none yet, else sent in
 * it (as `send` allows: a user may reply to a clinician who wrote first). Someone who blocked the
 * actor is refused (403); oneself is a 400; an unknown username a 404 (field `recipient`). The
 * same events as the generic use cases: `conversation.created` when it starts, `message.sent`.
 *
 * @example
 * ```ts
 * const sent = await core.sendDirectMessage(drKim, { recipient: 'uma', subject: 'Results', content: 'All fine.' });
 * sent.isRead; // false
 * ```
 */
export async function sendDirectMessage(
  ctx: CoreContext,
  actor: Actor,
  input: SendDirectMessageInput,
): Promise<DirectMessageView> {
  assertActor(ctx, actor);
  const name = username(input.recipient, 'recipient');
  if (typeof input.content !== 'string' || input.content.trim().length === 0)
    throw MessagingError.validation('content', 'content must not be empty');
  const recipient = await requirePerson(ctx, name, 'recipient');
  if (sameParticipant(recipient.ref, actor))
    throw MessagingError.validation('recipient', 'you cannot send a message to yourself');
  const type = pairType(ctx, actor.type, recipient.ref.type);
  const subject =
    input.subject === undefined || input.subject.trim() === '' ? undefined : input.subject.trim();
  const existing = await ctx.store.conversations.findPair(pairKey(type, actor, recipient.ref));
  let conversationId: string;
  let message: Message;
  if (existing !== null) {
    const sent = await sendMessage(ctx, actor, {
      conversationId: existing,
      content: input.content,
      ...(subject === undefined ? {} : { subject }),
    });
    conversationId = existing;
    message = { ...sent.message, subject: subject ?? null };
  } else {
    const detail = await createConversation(ctx, actor, {
      conversationType: type,
      subject: subject ?? 'Direct messages',
      participants: [recipient.ref],
      initialMessage: input.content,
      ...(subject === undefined ? {} : { initialMessageSubject: subject }),
    });
    conversationId = detail.conversation.id;
    const mine = detail.messages.filter((m) => sameParticipant(m.sender, actor)).at(-1);
    if (!mine) throw new MessagingError('INTERNAL', 'the first message was not returned');
    message = { ...mine, isDeleted: false, deletedAt: null, deletedBy: null, subject: subject ?? null };
  }
  return {
    id: message.id,
    conversationId,
    seq: message.seq,
    sender: { type: actor.type, id: actor.id },
    recipient: recipient.ref,
    content: message.content,
    subject: message.subject ?? null,
    isRead: false,
    readAt: null,
    sentAt: message.createdAt,
  };
}

/**
 * The actor's inbox, one row per counterpart, newest activity first, in numbered pages (`page`
 * from 1, `limit` rows each). `unreadOnly` keeps counterparts with unread messages. In `per_side`
 * conversations the last message is the latest the actor still sees.
 *
 * @example
 * ```ts
 * const { rows, totalUnread } = await core.listDirectInbox(uma, { page: 1, limit: 20 });
 * rows[0]?.withUser.id; // 'dr.kim'
 * ```
 */
export async function listDirectInbox(
  ctx: CoreContext,
  actor: Actor,
  input: DirectInboxInput,
): Promise<DirectInbox> {
  assertActor(ctx, actor);
  if (!Number.isInteger(input.page) || input.page < 1)
    throw MessagingError.validation('page', 'page must be an integer of at least 1');
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 100)
    throw MessagingError.validation('limit', 'limit must be an integer between 1 and 100');
  const scope = ctx.policy.inboxTenantScope(actor);
  const filter: InboxFilter = {
    ...(input.unreadOnly === true ? { unreadOnly: true } : {}),
    ...(scope === null ? {} : { storeId: scope }),
  };
  const ref = { type: actor.type, id: actor.id };
  const [page, counts] = await Promise.all([
    ctx.store.conversations.listInbox(ref, filter, {
      limit: input.limit,
      offset: (input.page - 1) * input.limit,
    }),
    ctx.store.conversations.countInbox(ref, filter),
  ]);
  const visible = page.entries.filter(
    (e) => ctx.policy.decide(actor, 'view', e.conversation, e.membership).allowed,
  );
  const entries = await withVisibleLastMessages(ctx, actor, visible);
  const rows = entries.flatMap((entry): DirectInboxRow[] => {
    const other = entry.participants.find((p) => !sameParticipant(p.participant, actor));
    if (!other) return [];
    const last = entry.lastMessage;
    return [
      {
        withUser: other.participant,
        lastMessage: last,
        lastMessageTime: last?.createdAt ?? entry.membership.lastActivityAt,
        unreadCount: entry.membership.unreadCount,
        isLatestFromThem: last !== null && !sameParticipant(last.sender, actor),
      },
    ];
  });
  return { rows, totalUnread: counts.totalUnread, totalConversations: counts.total };
}

/**
 * The actor's conversation with a person named by username: the latest `limit` messages the
 * actor sees (oldest first), each with its recipient's exact read state (`readAt`: when their
 * read state first covered it). No conversation yet: no messages. Reading does not mark read.
 *
 * @example
 * ```ts
 * const { messages } = await core.getDirectConversation(uma, 'dr.kim', { limit: 50 });
 * messages.at(-1)?.readAt; // null until Dr Kim reads it
 * ```
 */
export async function getDirectConversation(
  ctx: CoreContext,
  actor: Actor,
  name: string,
  input: { readonly limit: number },
): Promise<DirectConversation> {
  assertActor(ctx, actor);
  const other = await requirePerson(ctx, username(name, 'username'), 'username');
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 100)
    throw MessagingError.validation('limit', 'limit must be an integer between 1 and 100');
  if (sameParticipant(other.ref, actor)) return { messages: [], participantCount: 2 };
  const type = pairType(ctx, actor.type, other.ref.type);
  const conversationId = await ctx.store.conversations.findPair(pairKey(type, actor, other.ref));
  if (conversationId === null) return { messages: [], participantCount: 2 };
  const visible = await loadForView(ctx, actor, conversationId);
  const fromSeq = visible.membership?.visibleFromSeq ?? 1;
  const page = await readMessages(ctx, actor, visible, { limit: input.limit, fromSeq });
  const oldestFirst = [...page.messages].reverse();
  return {
    messages: await withReadState(ctx, conversationId, visible.participants, oldestFirst),
    participantCount: visible.participants.length,
  };
}

/** A message named by id alone, as the actor may see it; `NOT_FOUND` otherwise, like a missing one. */
async function locateVisible(ctx: CoreContext, actor: Actor, messageId: string) {
  assertActor(ctx, actor);
  const id = username(messageId, 'message_id');
  const conversationId = await ctx.store.messages.locate(id);
  if (conversationId === null) throw MessagingError.notFound('message', id);
  let visible: Awaited<ReturnType<typeof loadForView>>;
  try {
    visible = await loadForView(ctx, actor, conversationId);
  } catch (error) {
    // The conversation is hidden from the actor: so is the message, exactly like a missing one.
    if (error instanceof MessagingError && error.code === 'NOT_FOUND')
      throw MessagingError.notFound('message', id);
    throw error;
  }
  const message = await ctx.store.messages.findById(conversationId, id);
  if (!message || (visible.membership && !visibleTo(visible.membership, message)))
    throw MessagingError.notFound('message', id);
  if (perSide(ctx, visible.conversation)) {
    const hiders = await ctx.store.messages.hiddenBy(conversationId, id);
    if (message.isDeleted || hiders.some((h) => sameParticipant(h, actor)))
      throw MessagingError.notFound('message', id);
  }
  return { ...visible, message };
}

/**
 * Marks one message read for its recipient (the actor): their read state moves up to it (never
 * back), as `markConversationRead` does (`conversation.read` recorded, one statement). Returns
 * when their read state first covered it. `FORBIDDEN` when the actor is not its recipient (its
 * sender, or a monitoring admin); `NOT_FOUND` when it does not exist or the actor cannot see it.
 *
 * @example
 * ```ts
 * const { readAt } = await core.markMessageRead(uma, messageId);
 * ```
 */
export async function markMessageRead(
  ctx: CoreContext,
  actor: Actor,
  messageId: string,
): Promise<{ readonly messageId: string; readonly isRead: true; readonly readAt: Date }> {
  const { conversation, membership, message } = await locateVisible(ctx, actor, messageId);
  if (membership === null || message.isSystemMessage || sameParticipant(message.sender, actor))
    throw MessagingError.forbidden('only the recipient of a message may mark it read');
  enforce(ctx.policy.decide(actor, 'read', conversation, membership));
  const now = ctx.clock.now();
  if (membership.lastReadSeq < message.seq) {
    const updated = await ctx.store.participants.markRead(conversation.id, actor, now, message.seq);
    if (!updated) throw MessagingError.notFound('message', message.id);
  }
  const readAt = (await ctx.store.participants.readTimes(conversation.id, actor, [message.seq])).get(
    message.seq,
  );
  return { messageId: message.id, isRead: true, readAt: readAt ?? now };
}

/**
 * Deletes a message named by id alone, as `deleteMessage` does (per side in care-team).
 * `FORBIDDEN` when the actor is neither its sender nor its recipient (a monitoring admin);
 * `NOT_FOUND` when it does not exist or is already gone for the actor.
 *
 * @example
 * ```ts
 * await core.deleteDirectMessage(uma, messageId); // hidden for Uma; Dr Kim still sees it
 * ```
 */
export async function deleteDirectMessage(ctx: CoreContext, actor: Actor, messageId: string): Promise<void> {
  const { conversation, membership, message } = await locateVisible(ctx, actor, messageId);
  if (membership === null)
    throw MessagingError.forbidden('only the sender or the recipient may delete a message');
  await deleteMessage(ctx, actor, conversation.id, message.id);
}

/**
 * The actor blocks a person named by username, as the policy's `block` rows allow (care-team:
 * anyone but an admin — 403, a rule refused rather than malformed input); blocking oneself is a
 * 400, an unknown username a 404. From then on that person's `start` and `send` towards the actor
 * are refused (403). Records `participant.blocked` in the same transaction; blocking again
 * changes nothing and records nothing (`created` false).
 *
 * @example
 * ```ts
 * await core.blockPerson(ulysses, 'uma'); // { blocked: { type: 'user', id: 'uma' }, created: true, … }
 * ```
 */
export async function blockPerson(
  ctx: CoreContext,
  actor: Actor,
  name: string,
): Promise<BlockView & { readonly created: boolean }> {
  assertActor(ctx, actor);
  const target = await requirePerson(ctx, username(name, 'username'), 'username');
  enforce(ctx.policy.decideBlock(actor, target));
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  const created = await ctx.store.transaction(async (tx) => {
    const fresh = await tx.blocks.block(by, target.ref, now);
    if (fresh)
      await tx.events.append([
        {
          type: 'participant.blocked',
          occurredAt: now,
          ...originOf(actor),
          actor: by,
          tenantId: actor.tenantId,
          conversationId: null,
          blocked: target.ref,
        },
      ]);
    return fresh;
  });
  const existing = created
    ? now
    : ((await ctx.store.blocks.listByBlocker(by)).find((b) => sameParticipant(b.blocked, target.ref))
        ?.createdAt ?? now);
  return { blocked: target.ref, name: target.name, createdAt: existing, created };
}

/**
 * Lifts the actor's block of a person named by username and records `participant.unblocked`.
 * `NOT_FOUND` when the username is unknown or the actor does not block them.
 *
 * @example
 * ```ts
 * await core.unblockPerson(ulysses, 'uma');
 * ```
 */
export async function unblockPerson(ctx: CoreContext, actor: Actor, name: string): Promise<void> {
  assertActor(ctx, actor);
  const target = await requirePerson(ctx, username(name, 'username'), 'username');
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  await ctx.store.transaction(async (tx) => {
    if (!(await tx.blocks.unblock(by, target.ref)))
      throw new MessagingError('NOT_FOUND', `you have not blocked ${name}`, { field: 'username' });
    await tx.events.append([
      {
        type: 'participant.unblocked',
        occurredAt: now,
        ...originOf(actor),
        actor: by,
        tenantId: actor.tenantId,
        conversationId: null,
        blocked: target.ref,
      },
    ]);
  });
}

/**
 * Everyone the actor blocks, newest first, with their display names.
 *
 * @example
 * ```ts
 * (await core.listBlocks(ulysses)).map((b) => b.blocked.id); // ['uma']
 * ```
 */
export async function listBlocks(ctx: CoreContext, actor: Actor): Promise<BlockView[]> {
  assertActor(ctx, actor);
  const blocks = await ctx.store.blocks.listByBlocker({ type: actor.type, id: actor.id });
  const names = await namesFor(
    ctx.directory,
    blocks.map((b) => b.blocked),
  );
  return blocks.map((b) => ({
    blocked: b.blocked,
    name: names.get(`${b.blocked.type}:${b.blocked.id}`)?.name ?? b.blocked.id,
    createdAt: b.createdAt,
  }));
}
