import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import type { PlatformCapability, PolicyDefinition } from './policy-definition.js';

/**
 * A conversation type and the participant types it admits (for two-party types, the usual starter's
 * first). The full rules of a type (sizes, roles, history) live in the policy's definition.
 */
export interface ConversationTypeDefinition {
  readonly type: string;
  readonly participantTypes: readonly string[];
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
  | 'leave'
  | 'rename'
  | 'archive';

export type PolicyDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';
      readonly reason: string;
      readonly field?: string;
    };

export type StartDecision =
  | { readonly allowed: true; readonly tenantId: string | null }
  | {
      readonly allowed: false;
      readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';
      readonly reason: string;
      readonly field?: string;
    };

/** Who handles a conversation type as a team, and the role they take when they first read or answer. */
export interface TeamSpec {
  readonly participantTypes: readonly string[];
  readonly role: string;
}

/** The conversations an actor handles as one of a team: of these types, in this tenant. */
export interface TeamInboxScope {
  readonly tenantId: string;
  readonly conversationTypes: readonly string[];
  /** Every participant type on those teams (whose messages count as the team's answers). */
  readonly teamParticipantTypes: readonly string[];
}

export type RecipientScope =
  | { readonly allowed: true; readonly tenantId: string | null }
  | { readonly allowed: false; readonly reason: string };

/** A change to who takes part in a conversation, as `decideMembershipChange` is asked about it. */
export interface MembershipChange {
  readonly kind: 'add' | 'remove' | 'change_role' | 'leave';
  /** The person concerned (for `leave`, the actor's own entry). */
  readonly target: DirectoryEntry;
  /** For add and change_role: the requested role (undefined: the policy's default). */
  readonly role?: string;
  /** The target's current active membership, or null. */
  readonly targetMembership: ConversationParticipant | null;
}

/**
 * Facts a use case loaded for a decision that the tables' predicates read (see
 * `blockedByRecipient`). Absent: none known (nobody blocked the actor).
 */
export interface DecisionFacts {
  /** The recipients / other members who have blocked the actor. */
  readonly blockedBy?: readonly ParticipantRef[];
  /** Someone else sent a message after the one acted on (the `answered` predicate). */
  readonly answered?: boolean;
}

/** Where a capability is asked about: the tenant it concerns, when it concerns one. */
export interface CapabilityScope {
  /** The tenant acted on; undefined: the actor's own (or, for platform-wide actors, any). */
  readonly tenantId?: string | null;
}

/**
 * Who may do what. One pure object handed to `createMessagingCore` (and to the email, template
 * and admin-notification cores); built by `createAccessPolicy` from a `PolicyDefinition`, so a
 * preset is data, not code, and every preset is judged by the same evaluator.
 *
 * Rules every policy keeps, which the use cases rely on (and `accessPolicyContract` checks):
 * - a `NOT_FOUND` answer is given whenever the actor may not know the conversation exists (never
 *   `FORBIDDEN` for those), with the same reason as a missing id;
 * - `decideStartKind` is asked before any recipient is looked up, so its answer cannot reveal
 *   whether an id exists;
 * - decisions are pure functions of their arguments.
 *
 * @example
 * ```ts
 * const core = createMessagingCore({ policy: marketplacePolicy, ... });
 * marketplacePolicy.decide(customer, 'close', conversation, membership); // { allowed: false, code: 'FORBIDDEN', ... }
 * marketplacePolicy.allows(storeUser, 'manage_tenant_email', { tenantId: 'acme' }); // { allowed: true }
 * ```
 */
export interface AccessPolicy {
  readonly name: string;
  /** The definition this policy evaluates (read-only data; e.g. for documentation and schemas). */
  readonly definition: PolicyDefinition;
  readonly participantTypes: readonly string[];
  readonly conversationTypes: readonly ConversationTypeDefinition[];

  /** Does a participant of this type act within one tenant (its token carries a tenant claim)? */
  isTenantBound(participantType: string): boolean;

  /**
   * Is this a well-formed actor for the policy (a known type, a tenant when the type needs one)?
   * Every use case asks first.
   */
  validateActor(actor: Actor): PolicyDecision;

  /**
   * May `actor` start a conversation of `conversationType` with people of `recipientTypes` at
   * all (one entry per recipient)? Asked before the recipients are looked up, so the answer
   * cannot reveal whether an id exists.
   */
  decideStartKind(actor: Actor, conversationType: string, recipientTypes: readonly string[]): PolicyDecision;

  /**
   * May `actor` start a conversation of `conversationType` with `recipients`? On success, names
   * the tenant the conversation belongs to. A recipient the actor may not reach (another tenant's)
   * is refused exactly like a missing one (`NOT_FOUND` naming it).
   */
  decideStart(
    actor: Actor,
    conversationType: string,
    recipients: readonly DirectoryEntry[],
    facts?: DecisionFacts,
  ): StartDecision;

  /** `membership` is the actor's own membership, or null when they do not take part. */
  decide(
    actor: Actor,
    action: ConversationAction,
    conversation: Conversation,
    membership: ConversationParticipant | null,
    facts?: DecisionFacts,
  ): PolicyDecision;

  /**
   * May `actor` block `target` (so that `target` can no longer message them)? Blocking oneself is
   * a `VALIDATION` refusal (field `username`); who may not be blocked is the table's `block` rows
   * (care-team: admins, 403).
   */
  decideBlock(actor: Actor, target: DirectoryEntry): PolicyDecision;

  /**
   * May `actor` add, remove, re-role or (for `leave`) withdraw `change.target`? `activeMembers`
   * counts the conversation's current members, for the size limits. A conversation the actor may
   * not see answers `NOT_FOUND`.
   */
  decideMembershipChange(
    actor: Actor,
    change: MembershipChange,
    conversation: Conversation,
    actorMembership: ConversationParticipant | null,
    activeMembers: number,
  ): PolicyDecision;

  /** The member roles of a conversation type; the first is the default. */
  memberRoles(conversationType: string): readonly string[];

  /** The role `participant` gets when a conversation is created (`isCreator`: the one creating it). */
  initialRole(conversationType: string, participant: ParticipantRef, isCreator: boolean): string;

  /** How many active members a conversation of this type has at least and at most. */
  sizeLimits(conversationType: string): { readonly min: number; readonly max: number };

  /** Does a member who joins later see the messages sent before they joined? */
  historyVisibleToNewMembers(conversationType: string): boolean;

  /** At most one conversation of this type per pair of people (`ConversationTypeSpec.onePerPair`)? */
  onePerPair(conversationType: string): boolean;

  /** What deleting a message of this type does (`ConversationTypeSpec.deletion`). */
  deletion(conversationType: string): 'for_everyone' | 'per_side';

  /** May `actor` (who can see the conversation) delete `message`? */
  decideDeleteMessage(actor: Actor, message: Message, membership: ConversationParticipant): PolicyDecision;

  /**
   * May `actor` (who can see the conversation) edit the content of `message`? System messages
   * never; otherwise the table's `edit_message` rows (usually `isSender`, and deny rows on
   * `answered`). The edit window (`message_edit_window_minutes`) is the use case's, not the
   * policy's.
   */
  decideEditMessage(
    actor: Actor,
    message: Message,
    membership: ConversationParticipant,
    facts?: DecisionFacts,
  ): PolicyDecision;

  /** Does any `edit_message` row of the tables read the `answered` predicate (so it must be loaded)? */
  readsAnswered(): boolean;

  /**
   * May `actor` (who can see the conversation, `membership` possibly an observer's) read the
   * earlier versions of `message`?
   */
  decideViewRevisions(actor: Actor, message: Message, membership: ConversationParticipant): PolicyDecision;

  /**
   * May `actor` (who can see the conversation) remove for good the files of a soft-deleted
   * `message`? Files are otherwise kept for audit.
   */
  decidePurgeFiles(actor: Actor, message: Message, membership: ConversationParticipant): PolicyDecision;

  /** Who handles `conversationType` as a team (support), or null when its members handle it alone. */
  team(conversationType: string): TeamSpec | null;

  /**
   * The conversations `actor` handles as one of a team without being a member, listed in their
   * inbox beside their memberships; null when they are on no team (or have no tenant).
   */
  teamInboxScope(actor: Actor): TeamInboxScope | null;

  /** Which recipients of `recipientType` the actor may list, scoped to a tenant or not. */
  recipientScope(actor: Actor, recipientType: string): RecipientScope;

  /** The tenant an actor's inbox is restricted to (null: no restriction beyond membership). */
  inboxTenantScope(actor: Actor): string | null;

  /**
   * May `actor` use a platform-level capability (settings, email, admin notifications), in
   * `scope`'s tenant when it concerns one?
   */
  allows(actor: Actor, capability: PlatformCapability, scope?: CapabilityScope): PolicyDecision;

  /**
   * Could a participant of this type ever be allowed `permission` (a conversation or message action
   * in some conversation type, or a capability)? For hosts deciding which routes an audience has;
   * each request is still judged by the other methods.
   */
  mayEver(participantType: string, permission: string): boolean;
}
