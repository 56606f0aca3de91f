import type { MessageAttachment } from '../conversations/model/attachment.js';
import type { Conversation, ConversationParticipant } from '../conversations/model/conversation.js';
import { effectiveDeliveredSeq } from '../conversations/model/conversation.js';
import { type LoggedEvent, messageSentPayload, toEventRecord } from '../conversations/model/domain-event.js';
import { type Message, type MessageRevision, revisionOf } from '../conversations/model/message.js';
import { hiddenByModeration } from '../conversations/model/moderation.js';
import { containsEveryTerm } from '../conversations/model/search-text.js';
import { teamStandIn, teamUnread } from '../conversations/model/team.js';
import type { BlockRecord, BlockRepository } from '../conversations/ports/block-repository.js';
import type {
  CloseStateChange,
  ConversationRepository,
  InboxCounts,
  InboxEntry,
  InboxFilter,
  InboxPage,
  InboxPageRequest,
  TeamInboxFilter,
} from '../conversations/ports/conversation-repository.js';
import type { EventLog } from '../conversations/ports/event-log.js';
import type {
  AppendMessageInput,
  AppendMessageResult,
  EditMessageChange,
  EditMessageResult,
  HideResult,
  MessagePage,
  MessagePageRequest,
  MessageRepository,
  ModerationQueueItem,
  ModerationQueuePage,
  ModerationQueueRequest,
  ReviewDecision,
  ReviewResult,
  SoftDeleteInput,
} from '../conversations/ports/message-repository.js';
import type { MessageSearch } from '../conversations/ports/message-search.js';
import type {
  DeliveryAdvance,
  JoinRequest,
  ParticipantRepository,
  PreferencesChange,
  ReceiptTime,
} from '../conversations/ports/participant-repository.js';
import {
  appendRecord,
  copyEventLogState,
  type EventLogState,
  type EventLogUnit,
  emptyEventLogState,
  InMemoryEventLog,
} from '../conversations/testing/in-memory-event-log.js';
import type { AuditEntry } from '../kernel/audit/audit-entry.js';
import type { AuditLog } from '../kernel/audit/audit-log.js';
import { MessagingError } from '../kernel/errors.js';
import { comparePositions } from '../kernel/model/event-envelope.js';
import { type ParticipantRef, participantKey, sameParticipant } from '../kernel/model/participant-ref.js';
import type { Directory } from '../kernel/ports/directory.js';
import { AsyncMutex } from '../kernel/testing/async-mutex.js';
import { appendAuditEntries, InMemoryAuditLog } from '../kernel/testing/in-memory-audit-log.js';
import type { NotificationJob } from '../notifications/model/notification-job.js';
import type {
  ClaimNotificationsInput,
  CompleteNotificationsInput,
  FailNotificationsInput,
  FencedWriteResult,
  LeaseFence,
  NewNotificationJob,
  NotificationGroup,
  NotificationQueue,
  NotificationQueueStats,
  RenewNotificationLeaseInput,
  RescheduleNotificationsInput,
} from '../notifications/ports/notification-queue.js';
import type {
  NotifyingMessagingStore,
  NotifyingRepositories,
} from '../notifications/ports/notifying-messaging-store.js';
import type { NotifyingMessagingStoreRawReader } from '../notifications/testing/contracts/raw-readers.js';
import { InMemoryMessageSearch } from './in-memory-message-search.js';

interface IdempotencyRecord {
  readonly messageId: string;
  readonly conversationId: string;
  readonly requestHash: string;
}

/** The whole state. Records are immutable and replaced on change, so a snapshot is a copy of the maps. */
export interface InMemoryMessagingState {
  conversations: Map<string, Conversation>;
  /** conversationId → participantKey → membership */
  participants: Map<string, Map<string, ConversationParticipant>>;
  /** conversationId → messages in `seq` order (index + 1 = seq) */
  messages: Map<string, Message[]>;
  idempotency: Map<string, IdempotencyRecord>;
  /** The notification outbox: job id → job, in insertion order. */
  notificationJobs: Map<string, NotificationJob>;
  /** `participantKey\u0000conversationId` → when the recipient was last emailed about it. */
  notificationWindows: Map<string, Date>;
  /** The event log and its subscribers' cursors. */
  log: EventLogState;
  /** Pair key → the conversation of that pair (one-per-pair types). */
  pairs: Map<string, string>;
  /** `blocker\u0000blocked` (participant keys) → the block. */
  blocks: Map<string, BlockRecord>;
  /** Message id → participant keys of those who hid it (per-side delete); arrays replaced, never mutated. */
  hidden: Map<string, readonly string[]>;
  /** `participantKey\u0000conversationId` → read advances, oldest first; arrays replaced, never mutated. */
  readAdvances: Map<string, readonly { readonly upToSeq: number; readonly at: Date }[]>;
  /** Same key → delivery advances (`markDelivered`), oldest first; arrays replaced, never mutated. */
  deliveryAdvances: Map<string, readonly { readonly upToSeq: number; readonly at: Date }[]>;
  /** Message id → every version of an edited message, oldest first; arrays replaced, never mutated. */
  revisions: Map<string, readonly MessageRevision[]>;
}

type State = InMemoryMessagingState;

function emptyState(): State {
  return {
    conversations: new Map(),
    participants: new Map(),
    messages: new Map(),
    idempotency: new Map(),
    notificationJobs: new Map(),
    notificationWindows: new Map(),
    log: emptyEventLogState(),
    pairs: new Map(),
    blocks: new Map(),
    hidden: new Map(),
    readAdvances: new Map(),
    deliveryAdvances: new Map(),
    revisions: new Map(),
  };
}

function snapshot(state: State): State {
  return {
    conversations: new Map(state.conversations),
    participants: new Map([...state.participants].map(([id, members]) => [id, new Map(members)])),
    messages: new Map([...state.messages].map(([id, list]) => [id, [...list]])),
    idempotency: new Map(state.idempotency),
    notificationJobs: new Map(state.notificationJobs),
    notificationWindows: new Map(state.notificationWindows),
    log: copyEventLogState(state.log),
    pairs: new Map(state.pairs),
    blocks: new Map(state.blocks),
    hidden: new Map(state.hidden),
    readAdvances: new Map(state.readAdvances),
    deliveryAdvances: new Map(state.deliveryAdvances),
    revisions: new Map(state.revisions),
  };
}

let notificationJobSequence = 0;

/** A fresh, sortable job id (the in-memory stand-in for `gen_random_uuid()`). */
function nextNotificationJobId(): string {
  notificationJobSequence += 1;
  return `notification-${String(notificationJobSequence).padStart(12, '0')}`;
}

const time = (d: Date): number => d.getTime();

/** Code-point order (PostgreSQL's `collate "C"`). */
/** Descending order on (time, id): negative when `a` comes first. */
function compareDesc(aAt: Date, aId: string, bAt: Date, bId: string): number {
  if (time(aAt) !== time(bAt)) return time(bAt) - time(aAt);
  return aId < bId ? 1 : aId > bId ? -1 : 0;
}

function idempotencyKey(sender: ParticipantRef, key: string): string {
  return `${participantKey(sender)}\u0000${key}`;
}

/** Repositories over a state; the store decides whether they run under its lock. */
class StateRepositories implements NotifyingRepositories {
  readonly conversations: ConversationRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;
  readonly blocks: BlockRepository;
  readonly events: EventLog;
  readonly notifications: NotificationQueue;

  constructor(state: () => State, unit: EventLogUnit, directory?: Directory) {
    this.blocks = new InMemoryBlockRepository(state);
    this.conversations = new InMemoryConversationRepository(state, directory);
    this.participants = new InMemoryParticipantRepository(state, unit);
    this.messages = new InMemoryMessageRepository(state, unit);
    this.events = new InMemoryEventLog(
      () => state().log,
      unit,
      (participant) => {
        const key = participantKey(participant);
        const found = new Set<string>();
        for (const [conversationId, members] of state().participants)
          if (members.has(key)) found.add(conversationId);
        return found;
      },
    );
    this.notifications = new InMemoryNotificationQueue(state);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class InMemoryConversationRepository implements ConversationRepository {
  readonly #state: () => State;
  readonly #directory: Directory | undefined;

  /** @param directory where `InboxFilter.query` reads members' names (absent: subjects only). */
  constructor(state: () => State, directory?: Directory) {
    this.#state = state;
    this.#directory = directory;
  }

  /** The names `InboxFilter.query` matches, keyed by participant key (none without a query). */
  async #names(filter: InboxFilter): Promise<ReadonlyMap<string, string>> {
    if (filter.query === undefined || filter.query.length === 0 || this.#directory === undefined)
      return new Map();
    const refs: ParticipantRef[] = [];
    for (const members of this.#state().participants.values())
      for (const m of members.values()) if (m.leftAt === null) refs.push(m.participant);
    const entries = await this.#directory.resolveMany(refs);
    return new Map([...entries].map(([key, entry]) => [key, entry.name]));
  }

  async claimPair(pairKey: string, conversationId: string): Promise<string> {
    const state = this.#state();
    const holder = state.pairs.get(pairKey);
    if (holder !== undefined) return holder;
    state.pairs.set(pairKey, conversationId);
    return conversationId;
  }

  async findPair(pairKey: string): Promise<string | null> {
    return this.#state().pairs.get(pairKey) ?? null;
  }

  async create(conversation: Conversation, participants: readonly ConversationParticipant[]): Promise<void> {
    const state = this.#state();
    if (state.conversations.has(conversation.id)) {
      throw new MessagingError('CONFLICT', `conversation ${conversation.id} already exists`);
    }
    const members = new Map<string, ConversationParticipant>();
    for (const p of participants) {
      const key = participantKey(p.participant);
      if (members.has(key)) throw new MessagingError('CONFLICT', `participant ${key} listed twice`);
      members.set(key, { ...p, conversationId: conversation.id, archivedAt: p.archivedAt ?? null });
    }
    state.conversations.set(conversation.id, { ...conversation });
    state.participants.set(conversation.id, members);
    state.messages.set(conversation.id, []);
  }

  async findById(conversationId: string): Promise<Conversation | null> {
    return this.#state().conversations.get(conversationId) ?? null;
  }

  async findByIds(conversationIds: readonly string[]): Promise<Map<string, Conversation>> {
    const { conversations } = this.#state();
    const found = new Map<string, Conversation>();
    for (const id of conversationIds) {
      const conversation = conversations.get(id);
      if (conversation) found.set(id, conversation);
    }
    return found;
  }

  async findWithParticipants(
    conversationId: string,
  ): Promise<{ conversation: Conversation; participants: ConversationParticipant[] } | null> {
    const state = this.#state();
    const conversation = state.conversations.get(conversationId);
    if (!conversation) return null;
    return { conversation, participants: sortedMembers(state, conversationId) };
  }

  #memberships(
    participant: ParticipantRef,
    filter: InboxFilter,
    names: ReadonlyMap<string, string> = new Map(),
  ): InboxEntry[] {
    const state = this.#state();
    const key = participantKey(participant);
    const entries: InboxEntry[] = [];
    for (const [conversationId, members] of state.participants) {
      const membership = members.get(key);
      const conversation = state.conversations.get(conversationId)!;
      const messages = state.messages.get(conversationId) ?? [];
      let entry: ConversationParticipant;
      if (membership && membership.leftAt === null) entry = membership;
      else if (
        filter.team !== undefined &&
        filter.storeId !== undefined &&
        conversation.tenantId === filter.storeId &&
        filter.team.conversationTypes.includes(conversation.conversationType)
      ) {
        // Handled by the participant's team without a membership: a stand-in row.
        const newestFirst = [...messages].sort((a, b) => b.seq - a.seq);
        entry = teamStandIn(
          conversation,
          { ...participant, tenantId: filter.storeId },
          teamUnread(newestFirst, filter.team.teamParticipantTypes),
        );
      } else continue;
      if (filter.conversationType !== undefined && conversation.conversationType !== filter.conversationType)
        continue;
      if (filter.isClosed !== undefined && conversation.isClosed !== filter.isClosed) continue;
      if (filter.unreadOnly === true && entry.unreadCount <= 0) continue;
      if (filter.archived !== undefined && (entry.archivedAt != null) !== filter.archived) continue;
      if (filter.storeId !== undefined && conversation.tenantId !== filter.storeId) continue;
      if (filter.query !== undefined && filter.query.length > 0) {
        const others = sortedMembers(state, conversationId)
          .filter((m) => !sameParticipant(m.participant, participant))
          .map((m) => names.get(participantKey(m.participant)) ?? '');
        if (!containsEveryTerm([conversation.subject, ...others].join(' '), filter.query)) continue;
      }
      entries.push({
        conversation,
        membership: entry,
        participants: sortedMembers(state, conversationId),
        lastMessage: latestMessage(messages),
      });
    }
    return entries;
  }

  async listInbox(
    participant: ParticipantRef,
    filter: InboxFilter,
    page: InboxPageRequest,
  ): Promise<InboxPage> {
    const names = await this.#names(filter);
    const state = this.#state();
    const cursor = page.cursor;
    const offset = cursor === undefined ? Math.max(0, page.offset ?? 0) : 0;
    let keyed = this.#memberships(participant, filter, names).map((entry) => ({
      entry,
      key: entry.membership.lastActivityAt,
    }));
    if (cursor) {
      const snapshotAt = time(cursor.snapshotAt);
      keyed = keyed
        .filter(({ entry }) => time(entry.conversation.createdAt) <= snapshotAt)
        .map(({ entry, key }) => ({
          entry,
          key: time(key) <= snapshotAt ? key : activityAsOf(state, entry.conversation, snapshotAt),
        }))
        .filter(
          ({ entry, key }) =>
            compareDesc(key, entry.conversation.id, cursor.activityAt, cursor.conversationId) > 0,
        );
    }
    keyed.sort((a, b) => compareDesc(a.key, a.entry.conversation.id, b.key, b.entry.conversation.id));
    keyed = keyed.slice(offset);
    const slice = keyed.slice(0, page.limit);
    const last = slice.at(-1);
    const snapshotAt = cursor?.snapshotAt ?? slice[0]?.key;
    const nextCursor =
      keyed.length > page.limit && last && snapshotAt
        ? { snapshotAt, activityAt: last.key, conversationId: last.entry.conversation.id }
        : null;
    return { entries: slice.map(({ entry }) => entry), nextCursor };
  }

  async countInbox(participant: ParticipantRef, filter: InboxFilter): Promise<InboxCounts> {
    const names = await this.#names(filter);
    return {
      total: this.#memberships(participant, filter, names).length,
      totalUnread: await this.unreadTotal(participant, filter.storeId, filter.team),
    };
  }

  async unreadTotal(participant: ParticipantRef, storeId?: string, team?: TeamInboxFilter): Promise<number> {
    let total = 0;
    const filter: InboxFilter = {
      ...(storeId === undefined ? {} : { storeId }),
      ...(team === undefined ? {} : { team }),
    };
    for (const { membership } of this.#memberships(participant, filter)) {
      if (!membership.muted) total += membership.unreadCount;
    }
    return total;
  }

  async rename(conversationId: string, subject: string, at: Date): Promise<Conversation | null> {
    const state = this.#state();
    const conversation = state.conversations.get(conversationId);
    if (!conversation) return null;
    const updated: Conversation = { ...conversation, subject, updatedAt: at };
    state.conversations.set(conversationId, updated);
    return updated;
  }

  async setClosed(conversationId: string, change: CloseStateChange): Promise<Conversation | null> {
    const state = this.#state();
    const conversation = state.conversations.get(conversationId);
    if (!conversation) return null;
    const updated: Conversation = change.isClosed
      ? { ...conversation, isClosed: true, closedAt: change.at, closedBy: change.by, updatedAt: change.at }
      : { ...conversation, isClosed: false, closedAt: null, closedBy: null, updatedAt: change.at };
    state.conversations.set(conversationId, updated);
    return updated;
  }
}

/** Active memberships, ordered by participant type then id. */
function sortedMembers(state: State, conversationId: string): ConversationParticipant[] {
  return allMembers(state, conversationId).filter((p) => p.leftAt === null);
}

/** Every membership row, former members included. */
function allMembers(state: State, conversationId: string): ConversationParticipant[] {
  return [...(state.participants.get(conversationId)?.values() ?? [])].sort((a, b) =>
    participantKey(a.participant) < participantKey(b.participant) ? -1 : 1,
  );
}

/** The message with the highest `seq`. */
function latestMessage(messages: readonly Message[]): Message | null {
  let latest: Message | null = null;
  for (const m of messages) if (latest === null || m.seq > latest.seq) latest = m;
  return latest;
}

/** Whether `reader` hid the message (per-side delete). */
function hiddenFrom(state: State, messageId: string, reader: ParticipantRef): boolean {
  return state.hidden.get(messageId)?.includes(participantKey(reader)) ?? false;
}

/** Counts toward the reader's unread: another's non-system message above `afterSeq` they did not hide. */
function countsUnread(state: State, m: Message, reader: ParticipantRef, afterSeq: number): boolean {
  return (
    m.seq > afterSeq &&
    !m.isSystemMessage &&
    !sameParticipant(m.sender, reader) &&
    !hiddenFrom(state, m.id, reader) &&
    !hiddenByModeration(m.moderation)
  );
}

/** Others' non-system messages with a `seq` above `afterSeq`, not hidden by the reader: a membership's exact unread count. */
function unreadAfter(
  state: State,
  messages: readonly Message[],
  reader: ParticipantRef,
  afterSeq: number,
): number {
  return messages.filter((m) => countsUnread(state, m, reader, afterSeq)).length;
}

function advancesKey(conversationId: string, participant: ParticipantRef): string {
  return `${participantKey(participant)}\u0000${conversationId}`;
}

/** What a conversation's activity was at `at`: its creation or its latest message up to then. */
function activityAsOf(state: State, conversation: Conversation, at: number): Date {
  let result = conversation.createdAt;
  for (const m of state.messages.get(conversation.id) ?? []) {
    if (time(m.createdAt) <= at && time(m.createdAt) > time(result)) result = m.createdAt;
  }
  return result;
}

export class InMemoryParticipantRepository implements ParticipantRepository {
  readonly #state: () => State;
  readonly #unit: EventLogUnit;

  constructor(state: () => State, unit: EventLogUnit) {
    this.#state = state;
    this.#unit = unit;
  }

  async find(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null> {
    const found = await this.findAny(conversationId, participant);
    return found !== null && found.leftAt === null ? found : null;
  }

  async findAny(
    conversationId: string,
    participant: ParticipantRef,
  ): Promise<ConversationParticipant | null> {
    return this.#state().participants.get(conversationId)?.get(participantKey(participant)) ?? null;
  }

  async join(
    conversationId: string,
    requests: readonly JoinRequest[],
    at: Date,
  ): Promise<ConversationParticipant[] | null> {
    const state = this.#state();
    const conversation = state.conversations.get(conversationId);
    const members = state.participants.get(conversationId);
    if (!conversation || !members) return null;
    const keys = requests.map((r) => participantKey(r.participant));
    if (new Set(keys).size !== keys.length) {
      throw new MessagingError('CONFLICT', `a participant is listed twice`);
    }
    for (const key of keys) {
      if (members.get(key)?.leftAt === null) {
        throw new MessagingError('CONFLICT', `participant ${key} is already a member`);
      }
    }
    return requests.map((request) => {
      const key = participantKey(request.participant);
      const former = members.get(key);
      const joined: ConversationParticipant = {
        conversationId,
        participant: { type: request.participant.type, id: request.participant.id },
        tenantId: request.storeId,
        unreadCount: 0,
        lastReadSeq: conversation.messageCount,
        lastReadAt: former?.lastReadAt ?? null,
        // Kept, like the preferences: joining reads up to the latest message, which already
        // counts as delivered (`effectiveDeliveredSeq`).
        lastDeliveredSeq: former?.lastDeliveredSeq ?? 0,
        lastDeliveredAt: former?.lastDeliveredAt ?? null,
        emailNotifications: former?.emailNotifications ?? true,
        muted: former?.muted ?? false,
        lastActivityAt: at,
        joinedAt: at,
        role: request.role,
        leftAt: null,
        visibleFromSeq: request.seesHistory ? 1 : conversation.messageCount + 1,
        archivedAt: null,
      };
      members.set(key, joined);
      return joined;
    });
  }

  async leave(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
  ): Promise<ConversationParticipant | null> {
    return this.#update(conversationId, participant, (p) => ({ ...p, leftAt: at }));
  }

  async changeRole(
    conversationId: string,
    participant: ParticipantRef,
    role: string,
  ): Promise<ConversationParticipant | null> {
    return this.#update(conversationId, participant, (p) => ({ ...p, role }));
  }

  async listByConversation(conversationId: string): Promise<ConversationParticipant[]> {
    return sortedMembers(this.#state(), conversationId);
  }

  async listByConversations(
    conversationIds: readonly string[],
  ): Promise<Map<string, ConversationParticipant[]>> {
    return new Map(conversationIds.map((id) => [id, sortedMembers(this.#state(), id)]));
  }

  async listContacts(participant: ParticipantRef, limit: number): Promise<ParticipantRef[]> {
    const state = this.#state();
    const own = participantKey(participant);
    const contacts = new Map<string, ParticipantRef>();
    for (const members of state.participants.values()) {
      if (members.get(own)?.leftAt !== null) continue;
      for (const [key, member] of members)
        if (key !== own && member.leftAt === null) contacts.set(key, member.participant);
    }
    return [...contacts.values()]
      .sort((a, b) => compareText(a.type, b.type) || compareText(a.id, b.id))
      .slice(0, Math.max(0, Math.floor(limit)))
      .map((p) => ({ type: p.type, id: p.id }));
  }

  #update(
    conversationId: string,
    participant: ParticipantRef,
    change: (current: ConversationParticipant) => ConversationParticipant,
  ): ConversationParticipant | null {
    const members = this.#state().participants.get(conversationId);
    const key = participantKey(participant);
    const current = members?.get(key);
    if (!members || !current || current.leftAt !== null) return null;
    const updated = change(current);
    members.set(key, updated);
    return updated;
  }

  async markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
    upToSeq?: number,
  ): Promise<ConversationParticipant | null> {
    const state = this.#state();
    const latest = state.conversations.get(conversationId)?.messageCount ?? 0;
    const messages = state.messages.get(conversationId) ?? [];
    const updated = this.#update(conversationId, participant, (p) => {
      const lastReadSeq = Math.max(p.lastReadSeq, Math.min(upToSeq ?? latest, latest));
      return {
        ...p,
        lastReadSeq,
        unreadCount: unreadAfter(state, messages, p.participant, lastReadSeq),
        lastReadAt: p.lastReadAt !== null && time(p.lastReadAt) > time(at) ? p.lastReadAt : at,
      };
    });
    if (updated !== null) {
      const key = advancesKey(conversationId, participant);
      const advances = state.readAdvances.get(key) ?? [];
      const before = advances.at(-1)?.upToSeq ?? 0;
      if (updated.lastReadSeq > before)
        state.readAdvances.set(key, [...advances, { upToSeq: updated.lastReadSeq, at }]);
      appendRecord(state.log, this.#unit, {
        type: 'conversation.read',
        tenantId: state.conversations.get(conversationId)?.tenantId ?? null,
        conversationId,
        actor: { type: updated.participant.type, id: updated.participant.id },
        occurredAt: at,
        payload: {
          read_at: at.toISOString(),
          last_read_seq: updated.lastReadSeq,
          unread_count: updated.unreadCount,
        },
      });
    }
    return updated;
  }

  async readTimes(
    conversationId: string,
    reader: ParticipantRef,
    seqs: readonly number[],
  ): Promise<Map<number, Date>> {
    const state = this.#state();
    const advances = state.readAdvances.get(advancesKey(conversationId, reader)) ?? [];
    const own = (state.messages.get(conversationId) ?? []).filter(
      (m) => !m.isSystemMessage && sameParticipant(m.sender, reader),
    );
    const result = new Map<number, Date>();
    for (const seq of seqs) {
      const times = [
        ...advances.filter((a) => a.upToSeq >= seq).map((a) => a.at),
        ...own.filter((m) => m.seq > seq).map((m) => m.createdAt),
      ];
      if (times.length > 0) result.set(seq, new Date(Math.min(...times.map(time))));
    }
    return result;
  }

  // --- Delivery receipts (issue 12) -------------------------------------------------------------

  async markDelivered(advances: readonly DeliveryAdvance[]): Promise<ConversationParticipant[]> {
    const state = this.#state();
    // Several advances of one member count as the highest.
    const highest = new Map<string, DeliveryAdvance>();
    for (const advance of advances) {
      const key = advancesKey(advance.conversationId, advance.participant);
      const current = highest.get(key);
      if (current === undefined || advance.upToSeq > current.upToSeq) highest.set(key, advance);
    }
    const moved: ConversationParticipant[] = [];
    for (const [key, { conversationId, participant, upToSeq, at }] of highest) {
      const conversation = state.conversations.get(conversationId);
      if (!conversation) continue;
      const target = Math.min(upToSeq, conversation.messageCount);
      const current = state.participants.get(conversationId)?.get(participantKey(participant));
      if (!current || current.leftAt !== null || target <= effectiveDeliveredSeq(current)) continue;
      const updated: ConversationParticipant = {
        ...current,
        lastDeliveredSeq: target,
        lastDeliveredAt:
          current.lastDeliveredAt !== null && time(current.lastDeliveredAt) > time(at)
            ? current.lastDeliveredAt
            : at,
      };
      state.participants.get(conversationId)?.set(participantKey(participant), updated);
      state.deliveryAdvances.set(key, [...(state.deliveryAdvances.get(key) ?? []), { upToSeq: target, at }]);
      appendRecord(
        state.log,
        this.#unit,
        toEventRecord({
          type: 'conversation.delivered',
          tenantId: conversation.tenantId,
          conversationId,
          actor: { type: updated.participant.type, id: updated.participant.id },
          occurredAt: at,
          deliveredAt: at,
          lastDeliveredSeq: target,
        }),
      );
      moved.push(updated);
    }
    return moved;
  }

  async receiptTimes(
    conversationId: string,
    participants: readonly ParticipantRef[],
    seqs: readonly number[],
  ): Promise<Map<string, Map<number, ReceiptTime>>> {
    const state = this.#state();
    const result = new Map<string, Map<number, ReceiptTime>>();
    for (const participant of participants) {
      const key = advancesKey(conversationId, participant);
      // Appended oldest first with a growing `upToSeq`: the first reaching a seq is the earliest.
      const reads = state.readAdvances.get(key) ?? [];
      const deliveries = state.deliveryAdvances.get(key) ?? [];
      const bySeq = new Map<number, ReceiptTime>();
      for (const seq of seqs) {
        bySeq.set(seq, {
          readAt: reads.find((a) => a.upToSeq >= seq)?.at ?? null,
          deliveredAt: deliveries.find((a) => a.upToSeq >= seq)?.at ?? null,
        });
      }
      result.set(participantKey(participant), bySeq);
    }
    return result;
  }

  // --- end of delivery receipts ------------------------------------------------------------------

  async setArchived(
    conversationId: string,
    participant: ParticipantRef,
    archivedAt: Date | null,
  ): Promise<{ membership: ConversationParticipant; changed: boolean } | null> {
    let changed = false;
    const membership = this.#update(conversationId, participant, (p) => {
      const current = p.archivedAt ?? null;
      if ((current === null) === (archivedAt === null)) return p;
      changed = true;
      return { ...p, archivedAt };
    });
    return membership === null ? null : { membership, changed };
  }

  async updatePreferences(
    conversationId: string,
    participant: ParticipantRef,
    change: PreferencesChange,
  ): Promise<ConversationParticipant | null> {
    return this.#update(conversationId, participant, (p) => ({
      ...p,
      emailNotifications: change.emailNotifications ?? p.emailNotifications,
      muted: change.muted ?? p.muted,
    }));
  }
}

export class InMemoryMessageRepository implements MessageRepository {
  readonly #state: () => State;
  readonly #unit: EventLogUnit;

  constructor(state: () => State, unit: EventLogUnit) {
    this.#state = state;
    this.#unit = unit;
  }

  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    const state = this.#state();
    const { message: draft } = input;
    const conversation = state.conversations.get(draft.conversationId);
    if (!conversation) return { status: 'conversation_not_found' };
    if (input.idempotency) {
      const existing = state.idempotency.get(idempotencyKey(draft.sender, input.idempotency.key));
      if (existing) {
        const first = (state.messages.get(existing.conversationId) ?? []).find(
          (m) => m.id === existing.messageId,
        );
        if (!first)
          throw new MessagingError(
            'INTERNAL',
            `idempotency key points to missing message ${existing.messageId}`,
          );
        return { status: 'duplicate', message: first, requestHash: existing.requestHash };
      }
    }
    if (input.requireOpen && conversation.isClosed) return { status: 'conversation_closed' };

    // One order: the next seq under the store's lock, and a time never before the previous message's.
    const seq = conversation.messageCount + 1;
    const previous = conversation.lastMessageAt;
    const at = previous !== null && time(previous) > time(draft.createdAt) ? previous : draft.createdAt;
    const message: Message = {
      id: draft.id,
      conversationId: draft.conversationId,
      seq,
      sender: draft.sender,
      content: draft.content,
      isSystemMessage: draft.isSystemMessage,
      isDeleted: false,
      deletedAt: null,
      deletedBy: null,
      createdAt: at,
      attachments: draft.attachments.map((a): MessageAttachment => ({ ...a, messageId: draft.id })),
      subject: draft.subject ?? null,
      editedAt: null,
      revision: 1,
      moderation:
        draft.moderation === undefined
          ? null
          : { state: draft.moderation.state, reason: draft.moderation.reason },
    };
    const held = draft.moderation?.state === 'held';
    const messages = state.messages.get(draft.conversationId) ?? [];
    if (messages.some((m) => m.id === message.id)) {
      throw new MessagingError('CONFLICT', `message ${message.id} already exists`);
    }
    messages.push(message);
    state.messages.set(draft.conversationId, messages);

    const later = (current: Date | null): Date => (current && time(current) > time(at) ? current : at);
    state.conversations.set(conversation.id, {
      ...conversation,
      messageCount: seq,
      lastMessageAt: at,
      updatedAt: later(conversation.updatedAt),
    });
    const members = state.participants.get(conversation.id) ?? new Map();
    for (const [key, p] of members) {
      // A former member's row is frozen: no unread, no activity, no notification.
      if (p.leftAt !== null) continue;
      // A held message reaches nobody but its sender (whose read state moves as for any send).
      if (held && !sameParticipant(p.participant, draft.sender)) continue;
      let next: ConversationParticipant = { ...p, lastActivityAt: later(p.lastActivityAt) };
      if (!draft.isSystemMessage) {
        // Someone else's message brings an archived conversation back to the member's inbox.
        next = sameParticipant(p.participant, draft.sender)
          ? { ...next, unreadCount: 0, lastReadSeq: seq, lastReadAt: later(p.lastReadAt) }
          : { ...next, unreadCount: p.unreadCount + 1, archivedAt: null };
      }
      members.set(key, next);
    }
    if (!draft.isSystemMessage) {
      const envelope = {
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        actor: { type: draft.sender.type, id: draft.sender.id },
        occurredAt: at,
      };
      const reason = draft.moderation?.reason ?? '';
      if (held)
        appendRecord(state.log, this.#unit, {
          ...envelope,
          type: 'message.held',
          payload: { ...messageSentPayload(message), reason },
        });
      else
        appendRecord(state.log, this.#unit, {
          ...envelope,
          type: 'message.sent',
          payload: messageSentPayload(message),
        });
      if (draft.moderation?.state === 'flagged')
        appendRecord(state.log, this.#unit, {
          ...envelope,
          type: 'message.flagged',
          payload: { ...messageSentPayload(message), reason },
        });
    }
    if (input.idempotency) {
      state.idempotency.set(idempotencyKey(draft.sender, input.idempotency.key), {
        messageId: message.id,
        conversationId: conversation.id,
        requestHash: input.idempotency.requestHash,
      });
    }
    return { status: 'created', message };
  }

  async findById(conversationId: string, messageId: string): Promise<Message | null> {
    return (
      this.#state()
        .messages.get(conversationId)
        ?.find((m) => m.id === messageId) ?? null
    );
  }

  async findByIds(messageIds: readonly string[]): Promise<Map<string, Message>> {
    const wanted = new Set(messageIds);
    const found = new Map<string, Message>();
    if (wanted.size === 0) return found;
    for (const messages of this.#state().messages.values())
      for (const message of messages) if (wanted.has(message.id)) found.set(message.id, message);
    return found;
  }

  async latestByConversations(conversationIds: readonly string[]): Promise<Map<string, Message>> {
    const { messages } = this.#state();
    const found = new Map<string, Message>();
    for (const id of conversationIds) {
      const latest = latestMessage(messages.get(id) ?? []);
      if (latest) found.set(id, latest);
    }
    return found;
  }

  async listByConversation(conversationId: string, page: MessagePageRequest): Promise<MessagePage> {
    const beforeSeq = page.beforeSeq;
    const ordered = [...(this.#state().messages.get(conversationId) ?? [])]
      .filter((m) => beforeSeq === undefined || m.seq < beforeSeq)
      .filter((m) => page.fromSeq === undefined || m.seq >= page.fromSeq)
      .filter((m) => page.viewer === undefined || !hiddenFrom(this.#state(), m.id, page.viewer))
      .sort((a, b) => b.seq - a.seq);
    return { messages: ordered.slice(0, page.limit), hasMore: ordered.length > page.limit };
  }

  async locate(messageId: string): Promise<string | null> {
    for (const [conversationId, messages] of this.#state().messages)
      if (messages.some((m) => m.id === messageId)) return conversationId;
    return null;
  }

  async hideFor(
    conversationId: string,
    messageId: string,
    participant: ParticipantRef,
    members: readonly ParticipantRef[],
    at: Date,
  ): Promise<HideResult | null> {
    const state = this.#state();
    const messages = state.messages.get(conversationId);
    const index = messages?.findIndex((m) => m.id === messageId) ?? -1;
    if (!messages || index < 0) return null;
    const current = messages[index]!;
    const key = participantKey(participant);
    const hiders = state.hidden.get(messageId) ?? [];
    if (hiders.includes(key)) return { message: current, hidden: false, deletedForEveryone: false };
    const membership = state.participants.get(conversationId)?.get(key);
    if (
      membership &&
      membership.leftAt === null &&
      countsUnread(state, current, participant, membership.lastReadSeq)
    )
      state.participants.get(conversationId)?.set(key, {
        ...membership,
        unreadCount: Math.max(0, membership.unreadCount - 1),
      });
    const now = [...hiders, key];
    state.hidden.set(messageId, now);
    const everyone = !current.isDeleted && members.every((m) => now.includes(participantKey(m)));
    if (!everyone) return { message: current, hidden: true, deletedForEveryone: false };
    const deleted: Message = { ...current, isDeleted: true, deletedAt: at, deletedBy: participant };
    messages[index] = deleted;
    return { message: deleted, hidden: true, deletedForEveryone: true };
  }

  async hiddenBy(_conversationId: string, messageId: string): Promise<ParticipantRef[]> {
    return [...(this.#state().hidden.get(messageId) ?? [])].sort(compareText).map((key) => {
      const at = key.indexOf(':');
      return { type: key.slice(0, at), id: key.slice(at + 1) };
    });
  }

  async edit(
    conversationId: string,
    messageId: string,
    change: EditMessageChange,
  ): Promise<EditMessageResult> {
    const state = this.#state();
    const messages = state.messages.get(conversationId);
    const index = messages?.findIndex((m) => m.id === messageId) ?? -1;
    if (!messages || index < 0) return { status: 'not_found' };
    const current = messages[index]!;
    if (current.isDeleted) return { status: 'deleted' };
    const revision = revisionOf(current);
    if (revision !== change.expectedRevision) return { status: 'stale', message: current };
    const edited: Message = {
      ...current,
      content: change.content,
      revision: revision + 1,
      editedAt: change.at,
      ...(change.flagged === undefined
        ? {}
        : { moderation: { state: 'flagged', reason: change.flagged.reason } }),
    };
    messages[index] = edited;
    const history = state.revisions.get(messageId) ?? [
      {
        messageId,
        revision: 1,
        content: current.content,
        editor: current.sender,
        createdAt: current.createdAt,
      },
    ];
    state.revisions.set(messageId, [
      ...history,
      {
        messageId,
        revision: revision + 1,
        content: change.content,
        editor: { type: change.editor.type, id: change.editor.id },
        createdAt: change.at,
      },
    ]);
    return { status: 'edited', message: edited };
  }

  async revisions(conversationId: string, messageId: string): Promise<MessageRevision[]> {
    const state = this.#state();
    if (!(state.messages.get(conversationId) ?? []).some((m) => m.id === messageId)) return [];
    return [...(state.revisions.get(messageId) ?? [])];
  }

  async answeredAfter(conversationId: string, seq: number, sender: ParticipantRef): Promise<boolean> {
    return (this.#state().messages.get(conversationId) ?? []).some(
      (m) => m.seq > seq && !m.isSystemMessage && !sameParticipant(m.sender, sender),
    );
  }

  async review(conversationId: string, messageId: string, decision: ReviewDecision): Promise<ReviewResult> {
    const state = this.#state();
    const messages = state.messages.get(conversationId);
    const index = messages?.findIndex((m) => m.id === messageId) ?? -1;
    if (!messages || index < 0) return { status: 'not_found' };
    const current = messages[index]!;
    const previous = current.moderation?.state;
    if (previous !== 'flagged' && previous !== 'held') return { status: 'not_pending', message: current };
    const reviewed: Message = {
      ...current,
      moderation: {
        state: decision.decision,
        reason: decision.decision === 'rejected' ? decision.reason : (current.moderation?.reason ?? null),
        reviewedBy: { type: decision.by.type, id: decision.by.id },
        reviewedAt: decision.at,
      },
    };
    messages[index] = reviewed;
    // Delivered (held → approved) or taken back (flagged → rejected): the others' unread counts follow.
    const delta =
      previous === 'held' && decision.decision === 'approved'
        ? 1
        : previous === 'flagged' && decision.decision === 'rejected'
          ? -1
          : 0;
    const members = state.participants.get(conversationId) ?? new Map();
    if (delta !== 0 && !current.isSystemMessage && !current.isDeleted)
      for (const [key, p] of members) {
        if (p.leftAt !== null || sameParticipant(p.participant, current.sender)) continue;
        if (p.visibleFromSeq > current.seq || p.lastReadSeq >= current.seq) continue;
        if (hiddenFrom(state, messageId, p.participant)) continue;
        members.set(key, {
          ...p,
          unreadCount: Math.max(0, p.unreadCount + delta),
          ...(delta > 0
            ? {
                archivedAt: null,
                lastActivityAt:
                  time(p.lastActivityAt) > time(current.createdAt) ? p.lastActivityAt : current.createdAt,
              }
            : {}),
        });
      }
    return { status: 'reviewed', message: reviewed, previousState: previous };
  }

  async moderationQueue(request: ModerationQueueRequest): Promise<ModerationQueuePage> {
    const state = this.#state();
    const wanted = new Set<string>(request.states);
    const items: ModerationQueueItem[] = [];
    for (const [conversationId, messages] of state.messages) {
      if (request.conversationId !== undefined && request.conversationId !== conversationId) continue;
      const tenantId = state.conversations.get(conversationId)?.tenantId ?? null;
      if (request.tenantId !== undefined && request.tenantId !== tenantId) continue;
      for (const message of messages) {
        const st = message.moderation?.state;
        if (st === undefined || !wanted.has(st)) continue;
        const after = request.after;
        if (
          after !== undefined &&
          !(
            time(message.createdAt) < time(after.createdAt) ||
            (time(message.createdAt) === time(after.createdAt) && message.id < after.id)
          )
        )
          continue;
        items.push({ message, tenantId });
      }
    }
    items.sort(
      (a, b) =>
        time(b.message.createdAt) - time(a.message.createdAt) ||
        (a.message.id < b.message.id ? 1 : a.message.id > b.message.id ? -1 : 0),
    );
    return { items: items.slice(0, request.limit), hasMore: items.length > request.limit };
  }

  async softDelete(
    conversationId: string,
    messageId: string,
    input: SoftDeleteInput,
  ): Promise<Message | null> {
    const messages = this.#state().messages.get(conversationId);
    const index = messages?.findIndex((m) => m.id === messageId) ?? -1;
    if (!messages || index < 0) return null;
    const current = messages[index]!;
    if (current.isDeleted) return current;
    const deleted: Message = { ...current, isDeleted: true, deletedAt: input.at, deletedBy: input.by };
    messages[index] = deleted;
    return deleted;
  }

  async findAttachment(conversationId: string, attachmentId: string): Promise<MessageAttachment | null> {
    for (const message of this.#state().messages.get(conversationId) ?? []) {
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (found) return found;
    }
    return null;
  }

  async deleteAttachments(
    conversationId: string,
    messageId: string,
    attachmentIds?: readonly string[],
    audit?: AuditEntry,
  ): Promise<MessageAttachment[]> {
    const messages = this.#state().messages.get(conversationId);
    const index = messages?.findIndex((m) => m.id === messageId) ?? -1;
    if (!messages || index < 0) return [];
    const current = messages[index]!;
    const doomed = (a: MessageAttachment) => attachmentIds === undefined || attachmentIds.includes(a.id);
    const removed = current.attachments.filter(doomed);
    if (removed.length > 0) {
      messages[index] = { ...current, attachments: current.attachments.filter((a) => !doomed(a)) };
      if (audit !== undefined) appendAuditEntries(this.#state().log.audit, [audit]);
    }
    return removed;
  }

  async referencedPaths(paths: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(paths);
    const found = new Set<string>();
    for (const list of this.#state().messages.values()) {
      for (const message of list) {
        for (const a of message.attachments) {
          if (wanted.has(a.filePath)) found.add(a.filePath);
          if (a.thumbnailPath !== null && wanted.has(a.thumbnailPath)) found.add(a.thumbnailPath);
        }
      }
    }
    return found;
  }
}

function blockKey(blocker: ParticipantRef, blocked: ParticipantRef): string {
  return `${participantKey(blocker)}\u0000${participantKey(blocked)}`;
}

/** Blocks over the store's state. */
export class InMemoryBlockRepository implements BlockRepository {
  readonly #state: () => State;

  constructor(state: () => State) {
    this.#state = state;
  }

  async block(blocker: ParticipantRef, blocked: ParticipantRef, at: Date): Promise<boolean> {
    const blocks = this.#state().blocks;
    const key = blockKey(blocker, blocked);
    if (blocks.has(key)) return false;
    blocks.set(key, {
      blocker: { type: blocker.type, id: blocker.id },
      blocked: { type: blocked.type, id: blocked.id },
      createdAt: at,
    });
    return true;
  }

  async unblock(blocker: ParticipantRef, blocked: ParticipantRef): Promise<boolean> {
    return this.#state().blocks.delete(blockKey(blocker, blocked));
  }

  async listByBlocker(blocker: ParticipantRef): Promise<BlockRecord[]> {
    return [...this.#state().blocks.values()]
      .filter((b) => sameParticipant(b.blocker, blocker))
      .sort(
        (a, b) =>
          time(b.createdAt) - time(a.createdAt) ||
          compareText(`${a.blocked.type}\u0000${a.blocked.id}`, `${b.blocked.type}\u0000${b.blocked.id}`),
      );
  }

  async blockersAmong(
    target: ParticipantRef,
    candidates: readonly ParticipantRef[],
  ): Promise<ParticipantRef[]> {
    const blocks = this.#state().blocks;
    return candidates.filter((c) => blocks.has(blockKey(c, target)));
  }
}

function windowKey(recipient: ParticipantRef, conversationId: string): string {
  return `${participantKey(recipient)}\u0000${conversationId}`;
}

let leaseSequence = 0;

/** The notification outbox over the store's state (jobs are enqueued by the email subscriber). */
export class InMemoryNotificationQueue implements NotificationQueue {
  readonly #state: () => State;

  constructor(state: () => State) {
    this.#state = state;
  }

  async enqueue(jobs: readonly NewNotificationJob[]): Promise<number> {
    const state = this.#state();
    const owed = new Set(
      [...state.notificationJobs.values()].map(
        (job) => `${job.messageId}\u0000${participantKey(job.recipient)}`,
      ),
    );
    let inserted = 0;
    for (const job of jobs) {
      const key = `${job.messageId}\u0000${participantKey(job.recipient)}`;
      if (owed.has(key)) continue;
      owed.add(key);
      const id = nextNotificationJobId();
      state.notificationJobs.set(id, {
        id,
        messageId: job.messageId,
        conversationId: job.conversationId,
        recipient: { type: job.recipient.type, id: job.recipient.id },
        storeId: job.storeId,
        status: 'pending',
        attempts: 0,
        availableAt: job.createdAt,
        lockedUntil: null,
        lockedBy: null,
        leaseToken: null,
        emailLogId: null,
        lastError: null,
        createdAt: job.createdAt,
        updatedAt: job.createdAt,
      });
      inserted += 1;
    }
    return inserted;
  }

  async stats(now: Date): Promise<NotificationQueueStats> {
    const pending = [...this.#state().notificationJobs.values()].filter((job) => job.status === 'pending');
    const available = pending.filter((job) => time(job.availableAt) <= time(now));
    const oldest = available.reduce<number | null>(
      (min, job) => (min === null || time(job.availableAt) < min ? time(job.availableAt) : min),
      null,
    );
    return {
      pending: pending.length,
      available: available.length,
      oldestAvailableAt: oldest === null ? null : new Date(oldest),
    };
  }

  async claimDue(input: ClaimNotificationsInput): Promise<NotificationGroup[]> {
    const state = this.#state();
    const now = time(input.now);
    const claimable = (job: NotificationJob) =>
      job.status === 'pending' &&
      time(job.availableAt) <= now &&
      (job.lockedUntil === null || time(job.lockedUntil) <= now);
    const groups = new Map<string, NotificationJob[]>();
    const ordered = [...state.notificationJobs.values()]
      .filter(claimable)
      .sort((a, b) => -compareDesc(a.createdAt, a.id, b.createdAt, b.id));
    for (const job of ordered) {
      const key = windowKey(job.recipient, job.conversationId);
      const lastSent = state.notificationWindows.get(key);
      if (lastSent !== undefined && time(lastSent) + input.windowMs > now) continue;
      const list = groups.get(key);
      if (list) list.push(job);
      else if (groups.size < input.limit) groups.set(key, [job]);
    }
    const lockedUntil = new Date(now + input.leaseMs);
    return [...groups.values()].map((jobs) => {
      leaseSequence += 1;
      const leaseToken = `lease-${String(leaseSequence).padStart(12, '0')}`;
      const claimed = jobs.map((job) => {
        const next: NotificationJob = {
          ...job,
          attempts: job.attempts + 1,
          lockedBy: input.workerId,
          lockedUntil,
          leaseToken,
          updatedAt: input.now,
        };
        state.notificationJobs.set(job.id, next);
        return next;
      });
      const first = claimed[0]!;
      return {
        recipient: first.recipient,
        conversationId: first.conversationId,
        storeId: first.storeId,
        jobs: claimed,
        leaseToken,
        leasedUntil: lockedUntil,
      };
    });
  }

  /** The jobs the fence still holds: pending, same token, lease not ended at `now`. */
  #leased(jobIds: readonly string[], fence: LeaseFence): NotificationJob[] {
    const state = this.#state();
    const now = time(fence.now);
    return jobIds
      .map((id) => state.notificationJobs.get(id))
      .filter(
        (job): job is NotificationJob =>
          job !== undefined &&
          job.status === 'pending' &&
          job.lockedBy === fence.workerId &&
          job.leaseToken === fence.leaseToken &&
          job.lockedUntil !== null &&
          time(job.lockedUntil) > now,
      );
  }

  async renewLease(
    jobIds: readonly string[],
    input: RenewNotificationLeaseInput,
  ): Promise<FencedWriteResult> {
    const state = this.#state();
    const jobs = this.#leased(jobIds, input);
    const lockedUntil = new Date(time(input.now) + input.leaseMs);
    for (const job of jobs) state.notificationJobs.set(job.id, { ...job, lockedUntil, updatedAt: input.now });
    return { applied: jobs.map((job) => job.id) };
  }

  async complete(jobIds: readonly string[], input: CompleteNotificationsInput): Promise<FencedWriteResult> {
    const state = this.#state();
    const jobs = this.#leased(jobIds, input);
    for (const job of jobs) {
      state.notificationJobs.set(job.id, {
        ...released(job),
        status: input.status,
        emailLogId: input.emailLogId,
        updatedAt: input.at,
      });
      if (input.status === 'sent') {
        const key = windowKey(job.recipient, job.conversationId);
        const current = state.notificationWindows.get(key);
        if (current === undefined || time(current) < time(input.at))
          state.notificationWindows.set(key, input.at);
      }
    }
    return { applied: jobs.map((job) => job.id) };
  }

  async reschedule(
    jobIds: readonly string[],
    input: RescheduleNotificationsInput,
  ): Promise<FencedWriteResult> {
    const state = this.#state();
    const jobs = this.#leased(jobIds, input);
    for (const job of jobs) {
      state.notificationJobs.set(job.id, {
        ...released(job),
        availableAt: input.availableAt,
        lastError: input.error,
        emailLogId: input.emailLogId,
        updatedAt: input.at,
      });
    }
    return { applied: jobs.map((job) => job.id) };
  }

  async fail(jobIds: readonly string[], input: FailNotificationsInput): Promise<FencedWriteResult> {
    const state = this.#state();
    const jobs = this.#leased(jobIds, input);
    for (const job of jobs) {
      state.notificationJobs.set(job.id, {
        ...released(job),
        status: 'failed',
        lastError: input.error,
        emailLogId: input.emailLogId,
        updatedAt: input.at,
      });
    }
    return { applied: jobs.map((job) => job.id) };
  }
}

function released(job: NotificationJob): NotificationJob {
  return { ...job, lockedBy: null, lockedUntil: null, leaseToken: null };
}

/**
 * Every messaging repository and the notification outbox in memory, in one unit of work (so it is
 * a `NotifyingMessagingStore`, and lives here, above both contexts), with real transactions: a transaction holds a lock and restores a
 * snapshot when its work throws. Calls outside a transaction take the same lock one at a time.
 *
 * @example
 * ```ts
 * const store = new InMemoryMessagingStore();
 * const core = createMessagingCore({ store, ... });
 * ```
 */
export class InMemoryMessagingStore implements NotifyingMessagingStore {
  #state: State = emptyState();
  readonly #lock = new AsyncMutex();
  /** The current unit of work's number: each transaction, and each call outside one, is a unit. */
  #xid = 0;
  #eventIds = 0;
  /** The newest event appended in the current unit, reported after it commits. */
  #appended: string | null = null;
  readonly #onEventsCommitted: ((newestId: string) => void) | undefined;
  readonly #unit: EventLogUnit = {
    xid: () => String(this.#xid),
    nextEventId: () => {
      this.#eventIds += 1;
      return String(this.#eventIds);
    },
    appended: (id) => {
      this.#appended = id;
    },
  };
  readonly #repositories: StateRepositories;

  readonly conversations: ConversationRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;
  /** Blocks, under the same lock. */
  readonly blocks: BlockRepository;
  /** The event log, under the same lock (events appended by `append` and `markRead` land here). */
  readonly events: EventLog;
  /** The notification outbox, under the same lock. */
  readonly notifications: NotificationQueue;
  /** Full-text search over this store's messages, under the same lock. */
  readonly search: MessageSearch;
  /** The audit rows derived from this store's events (and appended beside them), under the same lock. */
  readonly audit: AuditLog;

  /**
   * @param options.onEventsCommitted called after a unit of work that appended events commits,
   *   with the newest event's id (how local dispatchers are woken).
   * @param options.directory where the inbox `query` filter reads members' names (absent: it
   *   matches subjects only).
   */
  constructor(
    options: {
      readonly onEventsCommitted?: (newestId: string) => void;
      readonly directory?: Directory;
    } = {},
  ) {
    this.#onEventsCommitted = options.onEventsCommitted;
    this.#repositories = new StateRepositories(() => this.#state, this.#unit, options.directory);
    this.conversations = this.#locked(this.#repositories.conversations);
    this.participants = this.#locked(this.#repositories.participants);
    this.messages = this.#locked(this.#repositories.messages);
    this.blocks = this.#locked(this.#repositories.blocks);
    this.events = this.#locked(this.#repositories.events);
    this.notifications = this.#locked(this.#repositories.notifications);
    this.search = this.#locked(new InMemoryMessageSearch(() => this.#state));
    this.audit = this.#locked(new InMemoryAuditLog(() => this.#state.log.audit));
  }

  async transaction<T>(work: (tx: NotifyingRepositories) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      const before = snapshot(this.#state);
      this.#begin();
      try {
        const result = await work(this.#repositories);
        this.#committed();
        return result;
      } catch (error) {
        this.#state = before;
        this.#appended = null;
        throw error;
      }
    });
  }

  #begin(): void {
    this.#xid += 1;
    this.#appended = null;
  }

  #committed(): void {
    const newest = this.#appended;
    this.#appended = null;
    if (newest !== null) this.#onEventsCommitted?.(newest);
  }

  /**
   * Runs `work` in one transaction over the live state and the event log bound to it: how
   * `InMemoryPersonalDataStore` (GDPR export and erasure) reads and rewrites a person's messages.
   * Records are immutable: replace them (and list entries), never mutate one. Rolled back when
   * `work` throws.
   *
   * @example
   * ```ts
   * const count = await store.withState(async (state) => state.conversations.size);
   * ```
   */
  withState<T>(work: (state: InMemoryMessagingState, events: EventLog) => Promise<T>): Promise<T> {
    return this.transaction((tx) => work(this.#state, tx.events));
  }

  /** The event log as it stands, in log order (synchronous, for test helpers). */
  recordedEvents(): LoggedEvent[] {
    return [...this.#state.log.events].sort((a, b) => comparePositions(a.position, b.position));
  }

  /** Reads the state directly, for contract tests. */
  readonly raw: NotifyingMessagingStoreRawReader = {
    messageRevisions: async (messageId) => [...(this.#state.revisions.get(messageId) ?? [])],
    conversation: async (id) => this.#state.conversations.get(id) ?? null,
    participants: async (conversationId) => allMembers(this.#state, conversationId),
    messages: async (conversationId) =>
      [...(this.#state.messages.get(conversationId) ?? [])].sort((a, b) => a.seq - b.seq),
    idempotencyKey: async (sender, key) => {
      const record = this.#state.idempotency.get(idempotencyKey(sender, key));
      return record ? { messageId: record.messageId, requestHash: record.requestHash } : null;
    },
    notificationJobs: async (messageId) =>
      [...this.#state.notificationJobs.values()]
        .filter((job) => job.messageId === messageId)
        .sort((a, b) => {
          const ka = `${a.recipient.type}\u0000${a.recipient.id}`;
          const kb = `${b.recipient.type}\u0000${b.recipient.id}`;
          return ka < kb ? -1 : ka > kb ? 1 : 0;
        }),
    events: async () => [...this.#state.log.events].sort((a, b) => comparePositions(a.position, b.position)),
    eventCursor: async (subscriber) => this.#state.log.cursors.get(subscriber) ?? null,
    counts: async () => {
      let participants = 0;
      let messages = 0;
      let attachments = 0;
      for (const members of this.#state.participants.values()) participants += members.size;
      for (const list of this.#state.messages.values()) {
        messages += list.length;
        for (const m of list) attachments += m.attachments.length;
      }
      return {
        conversations: this.#state.conversations.size,
        participants,
        messages,
        attachments,
        idempotencyKeys: this.#state.idempotency.size,
        notificationJobs: this.#state.notificationJobs.size,
        events: this.#state.log.events.length,
      };
    },
  };

  /** Wraps each method so calls outside a transaction are serialized with transactions. */
  #locked<T extends object>(target: T): T {
    const lock = this.#lock;
    const store = this;
    return new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          lock.run(async () => {
            store.#begin();
            try {
              const result = await (value as (...a: unknown[]) => unknown).apply(object, args);
              store.#committed();
              return result;
            } finally {
              store.#appended = null;
            }
          });
      },
    });
  }
}
