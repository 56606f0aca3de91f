import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { Message } from '../model/message.js';
import type { Actor } from '../model/participant-ref.js';

/** A conversation type and the two participant types it joins (starter's first). */
export interface ConversationTypeDefinition {
  readonly type: string;
  readonly participantTypes: readonly [string, string];
}

/** Actions on an existing conversation the policy rules on. */
export type ConversationAction = 'view' | 'send' | 'read' | 'close' | 'reopen' | 'update_preferences';

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
  decideStartKind(actor: Actor, conversationType: string, recipientType: string): PolicyDecision;

  /**
   * May `actor` start a conversation of `conversationType` with `recipient`? On success, names
   * the tenant store the conversation belongs to.
   */
  decideStart(actor: Actor, conversationType: string, recipient: DirectoryEntry): StartDecision;

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
