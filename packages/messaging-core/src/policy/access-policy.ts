import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { Message } from '../model/message.js';
import type { Actor, ParticipantRef } from '../model/participant-ref.js';

/** A conversation type and the two participant types it joins (starter's first). */
export interface ConversationTypeDefinition {
  readonly type: string;
  readonly participantTypes: readonly [string, string];
}

/** Actions on an existing conversation the policy rules on. */
export type ConversationAction =
  | 'view'
  | 'send'
  | 'read'
  | 'close'
  | 'reopen'
  | 'update_preferences'
  | 'add_participant'
  | 'remove_participant'
  | 'change_role'
  | 'leave';

/** A change of membership the policy rules on (`decideMembershipChange`). */
export interface MembershipChange {
  readonly kind: 'add' | 'remove' | 'change_role' | 'leave';
  /** The person concerned (for `leave`, the actor's own entry). */
  readonly target: DirectoryEntry;
  /** For add and change_role: the requested role (undefined: the policy's default). */
  readonly role?: string;
  /** The target's current active membership, or null. */
  readonly targetMembership: ConversationParticipant | null;
}

export type PolicyDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';
      readonly reason: string;
      readonly field?: string;
    };

export type StartDecision =
  | { readonly allowed: true; readonly storeId: string | null }
  | {
      readonly allowed: false;
      readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';
      readonly reason: string;
      readonly field?: string;
    };

export type RecipientScope =
  | { readonly allowed: true; readonly storeId: string | null }
  | { readonly allowed: false; readonly reason: string };

/**
 * Who may do what. One pure object handed to `createMessagingCore`; participant and
 * conversation types are data it defines, so another preset (a care team, a 1:1 channel) plugs in
 * without touching the use cases.
 *
 * Rules every policy must keep, which the use cases rely on:
 * - `decide` is only asked about conversations; a `NOT_FOUND` answer must be given whenever the
 *   actor may not know the conversation exists (never `FORBIDDEN` for those).
 * - Decisions are pure functions of their arguments.
 *
 * @example
 * ```ts
 * const core = createMessagingCore({ policy: marketplacePolicy, ... });
 * marketplacePolicy.decide(actor, 'close', conversation, membership); // { allowed: false, code: 'FORBIDDEN', ... }
 * ```
 */
export interface AccessPolicy {
  readonly name: string;
  readonly participantTypes: readonly string[];
  readonly conversationTypes: readonly ConversationTypeDefinition[];

  /**
   * Is this a well-formed actor for the policy (a known type, a store when the type needs one)?
   * Every use case asks first.
   */
  validateActor(actor: Actor): PolicyDecision;

  /**
   * May `actor` start a conversation of `conversationType` with someone of `recipientType` at
   * all? Asked before the recipient is looked up, so the answer cannot reveal whether an id
   * exists.
   */
  decideStartKind(actor: Actor, conversationType: string, recipientTypes: readonly string[]): PolicyDecision;

  /**
   * May `actor` start a conversation of `conversationType` with `recipients` (everyone but the
   * actor)? On success, names the tenant store the conversation belongs to.
   */
  decideStart(actor: Actor, conversationType: string, recipients: readonly DirectoryEntry[]): StartDecision;

  /** Roles a member may hold in a conversation of this type; the first is the default. */
  memberRoles(conversationType: string): readonly string[];

  /** The role a participant gets at creation (creator or not). */
  initialRole(conversationType: string, participant: ParticipantRef, isCreator: boolean): string;

  /** Minimum and maximum number of active members. */
  sizeLimits(conversationType: string): { readonly min: number; readonly max: number };

  /** Whether a member added after creation sees the messages sent before they joined. */
  historyVisibleToNewMembers(conversationType: string): boolean;

  /**
   * May `actor` (with `actorMembership`, null if not a member) make `change`? `activeMembers` = current
   * count. A non-member must get `NOT_FOUND` (as for a missing conversation).
   */
  decideMembershipChange(
    actor: Actor,
    change: MembershipChange,
    conversation: Conversation,
    actorMembership: ConversationParticipant | null,
    activeMembers: number,
  ): PolicyDecision;

  /** `membership` is the actor's own membership, or null when they do not take part. */
  decide(
    actor: Actor,
    action: ConversationAction,
    conversation: Conversation,
    membership: ConversationParticipant | null,
  ): PolicyDecision;

  /** May `actor` (who can see the conversation) delete `message`? */
  decideDeleteMessage(actor: Actor, message: Message, membership: ConversationParticipant): PolicyDecision;

  /**
   * May `actor` (who can see the conversation) remove for good the files of a soft-deleted
   * `message`? Files are otherwise kept for audit.
   */
  decidePurgeFiles(actor: Actor, message: Message, membership: ConversationParticipant): PolicyDecision;

  /** Which recipients of `recipientType` the actor may list, scoped to a store or not. */
  recipientScope(actor: Actor, recipientType: string): RecipientScope;

  /** The store an actor's inbox is restricted to (null: no restriction beyond membership). */
  inboxStoreScope(actor: Actor): string | null;
}
