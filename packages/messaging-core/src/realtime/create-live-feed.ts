import type { Conversation, ConversationParticipant } from '../conversations/model/conversation.js';
import type { DomainEvent, LoggedEvent } from '../conversations/model/domain-event.js';
import type { Message } from '../conversations/model/message.js';
import { teamStandIn } from '../conversations/model/team.js';
import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { NON_MEMBER } from '../conversations/policy/policy-definition.js';
import type { MessagingStore } from '../conversations/ports/messaging-store.js';
import { observerMembership } from '../conversations/use-cases/context.js';
import {
  type ConversationSummary,
  displayName,
  type MemberView,
  namesFor,
  noReceiptsYet,
  type ParticipantView,
  toMemberView,
  toMessageView,
  toPreview,
  toSummary,
} from '../conversations/use-cases/views.js';
import type { DirectoryEntry } from '../kernel/model/directory-entry.js';
import type { EventPosition } from '../kernel/model/event-envelope.js';
import { type Actor, type ParticipantRef, participantKey } from '../kernel/model/participant-ref.js';
import type { Clock } from '../kernel/ports/clock.js';
import type { Directory } from '../kernel/ports/directory.js';
import type { LiveAudience, LiveBatch, LiveDelivery, LiveFeed, LiveReplay } from './live-feed.js';
import type { LiveReadState, LiveView } from './live-view.js';

/** What the live feed reads: the store (log and state), names, the rules and the time of audit records. */
export interface LiveFeedDependencies {
  readonly store: MessagingStore;
  readonly directory: Directory;
  readonly policy: AccessPolicy;
  /** Stamps the `conversation.monitored` events the feed records. */
  readonly clock: Clock;
}

/** How many log events `replay` reads per page. */
const REPLAY_PAGE = 500;

/** Events delivered to their actor only (their other connections), whoever else is in the conversation. */
const ACTOR_ONLY = new Set([
  // A held message is its sender's only until a reviewer approves it (their other tabs see it).
  'message.held',
  'participant.preferences_updated',
  'conversation.archived',
  'conversation.unarchived',
  'participant.blocked',
  'participant.unblocked',
]);

/** The event types whose views the core shapes; any other type is passed on as `generic`. */
const KNOWN = new Set([
  'conversation.created',
  'message.sent',
  'message.deleted',
  'conversation.read',
  'conversation.closed',
  'conversation.reopened',
  'conversation.renamed',
  'participant.added',
  'participant.removed',
  'participant.role_changed',
  'participant.preferences_updated',
  'participant.blocked',
  'participant.unblocked',
  'conversation.monitored',
  'conversation.delivered',
  'conversation.archived',
  'conversation.unarchived',
  'message.updated',
  'message.approved',
]);

/**
 * Moderation records for reviewers (the review queue), delivered to nobody live: a flag is not
 * the recipients' business, and a decision's actor is the reviewer. An approved held message is
 * the exception: it reaches its recipients as a `message.sent` view.
 */
const NOBODY = new Set(['conversation.monitored', 'message.flagged', 'message.rejected']);

/**
 * How a viewer sees the conversation of an event: as an active `member`, as a non-member the
 * policy lets `monitor` it (care-team admins: audited), as one of its `team` who has not joined
 * (support), or — only for their own `participant.removed` — as the person who just left.
 */
type Standing = 'member' | 'monitor' | 'team' | 'removed';

interface Recipient {
  readonly viewer: Actor;
  /** The viewer's active membership now, if any. */
  readonly membership: ConversationParticipant | null;
  readonly standing: Standing;
}

/** Everything the projection of one batch reads, loaded with a constant number of queries. */
interface BatchState {
  readonly conversations: ReadonlyMap<string, Conversation>;
  /** Active memberships now, by conversation id then participant key. */
  readonly members: ReadonlyMap<string, ReadonlyMap<string, ConversationParticipant>>;
  readonly messages: ReadonlyMap<string, Message>;
  /** Latest message of the conversations whose summary a view carries. */
  readonly latest: ReadonlyMap<string, Message>;
  readonly names: ReadonlyMap<string, DirectoryEntry>;
  /**
   * Per message edited in the batch in a `per_side` conversation: the participant keys of those
   * who hid it (they see nothing of it, its edits included).
   */
  readonly hiddenBy: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The participant types that may see conversations they are not members of: those with an allow
 * row for `view` with the member role `none` (care-team admins), and the teams of conversation
 * types (support). Only connected people of these types are ever asked about as non-members.
 */
function nonMemberViewerTypes(policy: AccessPolicy): Set<string> {
  const { definition } = policy;
  const types = new Set<string>();
  const names = (pattern: string | readonly string[]): readonly string[] =>
    pattern === '*' ? policy.participantTypes : typeof pattern === 'string' ? [pattern] : pattern;
  for (const row of definition.permissions) {
    if (row.effect === 'deny') continue;
    const actions =
      row.action === '*' ? ['view'] : typeof row.action === 'string' ? [row.action] : row.action;
    if (!actions.includes('view')) continue;
    const roles = row.role === undefined ? [] : typeof row.role === 'string' ? [row.role] : row.role;
    if (!roles.includes(NON_MEMBER)) continue;
    for (const type of names(row.who)) types.add(type);
  }
  for (const spec of definition.conversationTypes)
    for (const type of spec.team?.participantTypes ?? []) types.add(type);
  return types;
}

function readStateOf(membership: ConversationParticipant | null): LiveReadState | null {
  if (membership === null) return null;
  return {
    unreadCount: membership.unreadCount,
    lastReadSeq: membership.lastReadSeq,
    lastReadAt: membership.lastReadAt,
  };
}

function participantView(names: ReadonlyMap<string, DirectoryEntry>, ref: ParticipantRef): ParticipantView {
  return { ref: { type: ref.type, id: ref.id }, name: displayName(names, ref) };
}

/** The `message_id` an event names (`message.sent`, `message.deleted`, `message.updated`), or null. */
function messageIdOf(event: LoggedEvent): string | null {
  return event.type === 'message.sent' ||
    event.type === 'message.deleted' ||
    event.type === 'message.updated' ||
    event.type === 'message.approved'
    ? event.payload.message_id
    : null;
}

/**
 * Builds the live feed (`LiveFeed`): which connected people may see each logged event now, as the
 * access policy decides, and what each sees (`LiveView`, shaped for them).
 *
 * **Who receives an event** (among the `audience` asked about):
 * - `conversation.monitored` (audit records), `message.flagged`, `message.rejected` and the
 *   `message.approved` of a flagged message (moderation records: the review queue's): nobody;
 * - `message.held`: its sender only (other tabs); the `message.approved` of a held message: as
 *   its `message.sent` (a `message.sent` view), to those who see the message;
 * - `participant.preferences_updated`, `participant.blocked` / `unblocked`,
 *   `conversation.archived` / `unarchived` (an archive is the person's own), and a
 *   `message.deleted` of scope `self` (a per-side delete): the actor only, on all their connections;
 * - any other conversation event: the conversation's active members — for `message.sent`,
 *   `message.updated` and `message.deleted` those who see the message (`visibleFromSeq` ≤ its `seq`), for the others
 *   those who had joined by then (`joinedAt` ≤ the event's time) — and the connected people the
 *   policy lets view it without being members (`policy.decide(viewer, 'view', conversation,
 *   null)`, asked only for the types with a non-member `view` row or a team: care-team admins, a
 *   support team); a removed member also receives their own `participant.removed`, and nothing
 *   of the conversation after it;
 * - types this version does not know (`conversation.delivered` and later ones): the active members
 *   who had joined by then, with the payload as `data` (`generic`);
 * - never anyone of another tenant (a tenant-bound viewer sees only their tenant's conversations,
 *   whatever the tables say). The actor is not left out: their other tabs receive it too.
 *
 * Decisions and views read the state as it is when the batch is projected (memberships, messages,
 * read states), so a replay gives what the person may see at the time of the replay.
 *
 * **Reads.** Each `next` reads the log once, then the batch's conversations, their active
 * memberships, the messages its events name, the latest message of conversations whose summary
 * a view carries, and the names (one directory lookup): a constant number of queries per batch,
 * whatever the number of events or viewers — plus, for each `message.updated` in a `per_side`
 * conversation, who hid that message (so a person who deleted it for themselves sees none of its edits).
 *
 * **Monitoring is audited.** A care-team admin reading a conversation they are not in records
 * `conversation.monitored` (see `getConversation`); receiving its messages live is the same
 * reading, so after projecting a batch the feed appends, in one transaction, one
 * `conversation.monitored` per (monitoring viewer, conversation) that received a `message.sent`
 * or `conversation.created` in the batch (actor: the viewer; `messageCount`: the conversation's
 * count now, the highest `seq` they may have seen). A support team member who has not joined is
 * not monitoring (getConversation does not audit them either). These events are delivered to
 * nobody. This is the feed's only write; a replay to a monitoring admin records again (they read
 * again), and a replay refused for its length records nothing.
 *
 * @example
 * ```ts
 * const feed = createLiveFeed({ store, directory, policy: careTeamPolicy, clock: systemClock });
 * let position = LOG_START; // or the log's end when the instance starts
 * const { deliveries, position: next } = await feed.next(position, connections, 500);
 * for (const d of deliveries) send(d.viewer, toLiveFrame(d)); // one frame per viewer, shaped for them
 * position = next;
 * const resumed = await feed.replay(viewer, lastEventId, 10_000); // `resync_required` when too old
 * ```
 */
export function createLiveFeed(deps: LiveFeedDependencies): LiveFeed {
  const { store, directory, policy, clock } = deps;
  const watcherTypes = [...nonMemberViewerTypes(policy)];

  async function loadBatch(events: readonly LoggedEvent[]): Promise<BatchState> {
    const conversationIds = new Set<string>();
    const messageIds = new Set<string>();
    const summarised = new Set<string>();
    for (const event of events) {
      if (event.conversationId === null || event.type === 'conversation.monitored') continue;
      conversationIds.add(event.conversationId);
      const messageId = messageIdOf(event);
      if (messageId !== null) messageIds.add(messageId);
      if (event.type === 'conversation.created' || event.type === 'participant.added')
        summarised.add(event.conversationId);
    }
    const ids = [...conversationIds];
    const [conversations, memberLists, messages, latest] = await Promise.all([
      store.conversations.findByIds(ids),
      ids.length === 0
        ? new Map<string, ConversationParticipant[]>()
        : store.participants.listByConversations(ids),
      store.messages.findByIds([...messageIds]),
      store.messages.latestByConversations([...summarised]),
    ]);
    const members = new Map<string, Map<string, ConversationParticipant>>();
    const refs: ParticipantRef[] = [];
    for (const [id, list] of memberLists) {
      members.set(id, new Map(list.map((m) => [participantKey(m.participant), m])));
      for (const m of list) refs.push(m.participant);
    }
    for (const message of [...messages.values(), ...latest.values()]) refs.push(message.sender);
    for (const event of events) {
      refs.push(event.actor);
      const payload = event.payload as {
        readonly participant?: ParticipantRef;
        readonly blocked?: ParticipantRef;
      };
      if (payload.participant !== undefined) refs.push(payload.participant);
      if (payload.blocked !== undefined) refs.push(payload.blocked);
    }
    const names = refs.length === 0 ? new Map<string, DirectoryEntry>() : await namesFor(directory, refs);
    // An edit of a message someone hid for themselves (per-side delete) must not show it to them
    // again: one read per such edit (edits are rare; other types read nothing more).
    const hiddenBy = new Map<string, ReadonlySet<string>>();
    for (const event of events) {
      if (event.type !== 'message.updated' || event.conversationId === null) continue;
      const conversation = conversations.get(event.conversationId);
      if (conversation === undefined || policy.deletion(conversation.conversationType) !== 'per_side')
        continue;
      const hiders = await store.messages.hiddenBy(event.conversationId, event.payload.message_id);
      hiddenBy.set(event.payload.message_id, new Set(hiders.map(participantKey)));
    }
    return { conversations, members, messages, latest, names, hiddenBy };
  }

  /** Whether a tenant-bound viewer may be shown anything of this conversation at all. */
  function sameTenant(viewer: Actor, conversation: Conversation): boolean {
    return viewer.tenantId === null || conversation.tenantId === viewer.tenantId;
  }

  function mayViewAsNonMember(viewer: Actor, conversation: Conversation): Standing | null {
    if (!policy.decide(viewer, 'view', conversation, null).allowed) return null;
    return policy.team(conversation.conversationType)?.participantTypes.includes(viewer.type)
      ? 'team'
      : 'monitor';
  }

  /** Who among `audience` receives `event`, and as what (see `createLiveFeed`). */
  function recipientsOf(
    event: LoggedEvent,
    audience: LiveAudience,
    watchers: readonly Actor[],
    state: BatchState,
  ): Recipient[] {
    const type: string = event.type;
    if (NOBODY.has(type)) return [];
    // Approving a flagged message changes nothing anyone saw.
    if (event.type === 'message.approved' && event.payload.previous_state !== 'held') return [];
    const members = event.conversationId === null ? undefined : state.members.get(event.conversationId);
    const selfOnly =
      ACTOR_ONLY.has(type) ||
      event.conversationId === null ||
      (event.type === 'message.deleted' && event.payload.scope === 'self');
    if (selfOnly) {
      const viewer = audience.get(participantKey(event.actor));
      if (viewer === undefined) return [];
      return [{ viewer, membership: members?.get(participantKey(viewer)) ?? null, standing: 'member' }];
    }
    const conversation = state.conversations.get(event.conversationId);
    if (conversation === undefined) return [];
    const found = new Map<string, Recipient>();
    const messageId = messageIdOf(event);
    const message = messageId === null ? undefined : state.messages.get(messageId);
    if (messageId !== null && message === undefined) return [];
    const sawIt = (m: ConversationParticipant): boolean =>
      message !== undefined
        ? message.seq >= m.visibleFromSeq
        : m.joinedAt.getTime() <= event.occurredAt.getTime();
    for (const [key, membership] of members ?? []) {
      const viewer = audience.get(key);
      if (viewer === undefined || !sameTenant(viewer, conversation)) continue;
      if (sawIt(membership)) found.set(key, { viewer, membership, standing: 'member' });
      else if (KNOWN.has(type)) {
        // Joined since, or history hidden: still theirs to see if they could see it as a non-member.
        const standing = watcherTypes.includes(viewer.type) ? mayViewAsNonMember(viewer, conversation) : null;
        if (standing !== null) found.set(key, { viewer, membership, standing });
      }
    }
    if (!KNOWN.has(type)) return [...found.values()];
    for (const viewer of watchers) {
      const key = participantKey(viewer);
      if (found.has(key) || members?.has(key) || !sameTenant(viewer, conversation)) continue;
      const standing = mayViewAsNonMember(viewer, conversation);
      if (standing !== null) found.set(key, { viewer, membership: null, standing });
    }
    if (event.type === 'participant.removed') {
      const key = participantKey(event.payload.participant);
      const viewer = audience.get(key);
      if (viewer !== undefined && !found.has(key) && sameTenant(viewer, conversation))
        found.set(key, { viewer, membership: members?.get(key) ?? null, standing: 'removed' });
    }
    return [...found.values()];
  }

  function summaryFor(
    recipient: Recipient,
    conversation: Conversation,
    state: BatchState,
  ): ConversationSummary {
    const { viewer } = recipient;
    const membership =
      recipient.membership ??
      (recipient.standing === 'team'
        ? // The team's own unread count needs the conversation's history: the inbox has it.
          teamStandIn(conversation, viewer, 0)
        : observerMembership(conversation, viewer));
    const members = [...(state.members.get(conversation.id)?.values() ?? [])];
    return toSummary(
      viewer,
      conversation,
      membership,
      members,
      state.latest.get(conversation.id) ?? null,
      state.names,
    );
  }

  function memberOf(
    state: BatchState,
    conversationId: string,
    ref: ParticipantRef,
    fallback: { readonly role: string; readonly joinedAt: Date },
  ): MemberView {
    const current = state.members.get(conversationId)?.get(participantKey(ref));
    if (current !== undefined) return toMemberView(current, state.names);
    return {
      ref: { type: ref.type, id: ref.id },
      name: displayName(state.names, ref),
      unreadCount: 0,
      lastReadSeq: 0,
      lastReadAt: null,
      role: fallback.role,
      joinedAt: fallback.joinedAt,
      leftAt: null,
    };
  }

  /** What `recipient` sees of `event`; null when there is nothing to show (its message is gone). */
  function viewOf(event: LoggedEvent, recipient: Recipient, state: BatchState): LiveView | null {
    const conversation =
      event.conversationId === null ? undefined : state.conversations.get(event.conversationId);
    const { names } = state;
    switch (event.type) {
      case 'conversation.created':
        return conversation === undefined
          ? null
          : { kind: event.type, summary: summaryFor(recipient, conversation, state) };
      case 'message.approved':
      case 'message.sent': {
        const message = state.messages.get(event.payload.message_id);
        const preview = message === undefined ? null : toPreview(message);
        if (message === undefined || preview === null) return null;
        return {
          // An approved held message is, for its recipients, the send they never had.
          kind: 'message.sent',
          // Just sent: nobody else has it yet (lists only in conversations small enough to list).
          message: toMessageView(
            message,
            names,
            noReceiptsYet(state.members.get(message.conversationId)?.size ?? 0),
          ),
          conversation: { messageCount: message.seq, lastMessageAt: message.createdAt, lastMessage: preview },
          readState: readStateOf(recipient.membership),
        };
      }
      case 'message.deleted': {
        const message = state.messages.get(event.payload.message_id);
        return {
          kind: event.type,
          messageId: event.payload.message_id,
          scope: event.payload.scope,
          message: message === undefined ? null : toMessageView({ ...message, isDeleted: true }, names),
          readState: readStateOf(recipient.membership),
        };
      }
      case 'conversation.read': {
        const own = participantKey(event.actor) === participantKey(recipient.viewer);
        return {
          kind: event.type,
          reader: participantView(names, event.actor),
          lastReadSeq: event.payload.last_read_seq,
          readAt: new Date(event.payload.read_at),
          readState: own
            ? {
                unreadCount: event.payload.unread_count,
                lastReadSeq: event.payload.last_read_seq,
                lastReadAt: new Date(event.payload.read_at),
              }
            : null,
        };
      }
      case 'conversation.closed':
      case 'conversation.reopened': {
        const closed = event.type === 'conversation.closed';
        return {
          kind: event.type,
          isClosed: closed,
          closedAt: closed ? event.occurredAt : null,
          closedBy: closed ? participantView(names, event.actor) : null,
          messageCount: event.payload.message_count,
        };
      }
      case 'conversation.renamed':
        return {
          kind: event.type,
          subject: event.payload.subject,
          previousSubject: event.payload.previous_subject,
        };
      case 'participant.added': {
        if (event.conversationId === null) return null;
        const added = event.payload.participant;
        const isViewer = participantKey(added) === participantKey(recipient.viewer);
        return {
          kind: event.type,
          // The role they joined with (a later change has its own event).
          member: {
            ...memberOf(state, event.conversationId, added, {
              role: event.payload.role,
              joinedAt: new Date(event.payload.joined_at),
            }),
            role: event.payload.role,
          },
          summary: isViewer && conversation !== undefined ? summaryFor(recipient, conversation, state) : null,
        };
      }
      case 'participant.removed':
        return {
          kind: event.type,
          participant: participantView(names, event.payload.participant),
          reason: event.payload.reason,
          leftAt: event.payload.left_at === null ? null : new Date(event.payload.left_at),
        };
      case 'participant.role_changed': {
        if (event.conversationId === null) return null;
        const member = memberOf(state, event.conversationId, event.payload.participant, {
          role: event.payload.role,
          joinedAt: event.occurredAt,
        });
        return {
          kind: event.type,
          member: { ...member, role: event.payload.role },
          previousRole: event.payload.previous_role,
        };
      }
      case 'participant.preferences_updated':
        return {
          kind: event.type,
          emailNotifications: event.payload.email_notifications,
          muted: event.payload.muted,
        };
      case 'participant.blocked':
      case 'participant.unblocked':
        return { kind: event.type, blocked: participantView(names, event.payload.blocked) };
      case 'conversation.monitored':
        return null;
      case 'conversation.archived':
        return { kind: event.type, archived: true, archivedAt: new Date(event.payload.archived_at) };
      case 'conversation.unarchived':
        return { kind: event.type, archived: false, archivedAt: null };
      case 'message.updated': {
        // The message as it is now (a later edit or a delete shows here too); gone, or hidden by
        // the viewer (per-side delete): nothing to show.
        const message = state.messages.get(event.payload.message_id);
        if (message === undefined || message.isDeleted) return null;
        if (state.hiddenBy.get(message.id)?.has(participantKey(recipient.viewer)) === true) return null;
        return {
          kind: event.type,
          message: toMessageView(message, names),
          revision: event.payload.revision,
          previousRevision: event.payload.previous_revision,
          editedAt: new Date(event.payload.edited_at),
        };
      }
      case 'conversation.delivered':
        return {
          kind: event.type,
          participant: participantView(names, event.actor),
          lastDeliveredSeq: event.payload.last_delivered_seq,
          deliveredAt: new Date(event.payload.delivered_at),
        };
      default: {
        const other = event as { readonly type: string; readonly payload: unknown };
        return { kind: 'generic', type: other.type, payload: other.payload };
      }
    }
  }

  /** Records the batch's monitoring reads (see `createLiveFeed`), in one transaction. */
  async function recordMonitoring(
    watched: ReadonlyMap<string, { viewer: Actor; conversation: Conversation }>,
  ) {
    if (watched.size === 0) return;
    const now = clock.now();
    const events: DomainEvent[] = [...watched.values()].map(({ viewer, conversation }) => ({
      type: 'conversation.monitored',
      occurredAt: now,
      actor: { type: viewer.type, id: viewer.id },
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      messageCount: conversation.messageCount,
    }));
    await store.transaction((tx) => tx.events.append(events));
  }

  /**
   * Reads up to `limit` events after `after` and projects them for `audience`; with `atMost`, a
   * read of more events than that stops there (nothing projected, nothing recorded): `replay`'s
   * gap is too long.
   */
  async function project(
    after: EventPosition,
    audience: LiveAudience,
    limit: number,
    atMost = Number.POSITIVE_INFINITY,
    only: Actor | null = null,
  ): Promise<LiveBatch & { readonly scanned: number }> {
    const { events, more } =
      only === null ? await store.events.read(after, limit) : await store.events.readFor(after, only, limit);
    const last = events.at(-1);
    const position = last === undefined ? after : last.position;
    if (events.length === 0 || events.length > atMost)
      return { deliveries: [], position, more, events, scanned: events.length };
    const state = await loadBatch(events);
    // The connected people who may see conversations they are not in, asked for once per batch.
    const watchers = watcherTypes.flatMap((type) => [...audience.ofType(type)]);
    const deliveries: LiveDelivery[] = [];
    const watched = new Map<string, { viewer: Actor; conversation: Conversation }>();
    for (const event of events) {
      for (const recipient of recipientsOf(event, audience, watchers, state)) {
        const view = viewOf(event, recipient, state);
        if (view === null) continue;
        deliveries.push({ event, viewer: recipient.viewer, view });
        const conversation =
          event.conversationId === null ? undefined : state.conversations.get(event.conversationId);
        if (
          recipient.standing === 'monitor' &&
          recipient.membership === null &&
          conversation !== undefined &&
          (view.kind === 'message.sent' || view.kind === 'conversation.created')
        )
          watched.set(`${participantKey(recipient.viewer)}\u0000${conversation.id}`, {
            viewer: recipient.viewer,
            conversation,
          });
      }
    }
    await recordMonitoring(watched);
    return { deliveries, position, more, events, scanned: events.length };
  }

  return {
    async next(after, audience, limit) {
      const { deliveries, position, more, events } = await project(after, audience, limit);
      return { deliveries, position, more, events };
    },

    locate: (eventId) => store.events.locate(eventId),

    async replay(viewer, sinceEventId, maxEvents): Promise<LiveReplay> {
      const since = await store.events.locate(sinceEventId);
      if (since === null) return { kind: 'resync_required' };
      const key = participantKey(viewer);
      const alone: LiveAudience = {
        get: (wanted) => (wanted === key ? viewer : undefined),
        ofType: (type) => (type === viewer.type ? [viewer] : []),
      };
      // Someone who may watch conversations they are not in reads the whole log; anyone else only
      // their own conversations' events (and those of none), filtered by the database.
      const own = watcherTypes.includes(viewer.type) ? null : viewer;
      const deliveries: LiveDelivery[] = [];
      let position = since;
      let scanned = 0;
      for (;;) {
        // One event more than the room left tells that the gap is longer than allowed.
        const room = Math.max(0, Math.floor(maxEvents) - scanned);
        const batch = await project(position, alone, Math.min(REPLAY_PAGE, room + 1), room, own);
        scanned += batch.scanned;
        if (scanned > maxEvents) return { kind: 'resync_required' };
        deliveries.push(...batch.deliveries);
        position = batch.position;
        // Caught up: nothing more, or only events held behind a running transaction (the live tail gets them).
        if (batch.scanned === 0 || !batch.more) break;
      }
      return { kind: 'replayed', deliveries, position };
    },

    contactsOf: (actor, limit) => store.participants.listContacts(actor, limit),
  };
}
