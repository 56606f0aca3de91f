import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { Message } from '../model/message.js';
import type { Actor, ParticipantRef } from '../model/participant-ref.js';
import type {
  AccessPolicy,
  ConversationAction,
  ConversationTypeDefinition,
  MembershipChange,
  PolicyDecision,
  RecipientScope,
  StartDecision,
} from './access-policy.js';

export const MARKETPLACE_PARTICIPANT_TYPES = ['admin', 'store', 'customer'] as const;
export type MarketplaceParticipantType = (typeof MARKETPLACE_PARTICIPANT_TYPES)[number];

export const MARKETPLACE_CONVERSATION_TYPES: readonly ConversationTypeDefinition[] = [
  { type: 'admin_store', participantTypes: ['admin', 'store'] },
  { type: 'store_customer', participantTypes: ['store', 'customer'] },
  { type: 'admin_customer', participantTypes: ['admin', 'customer'] },
];

const ALLOWED: PolicyDecision = { allowed: true };
const TWO_PARTY_ONLY: PolicyDecision = {
  allowed: false,
  code: 'FORBIDDEN',
  reason: 'marketplace conversations keep their two participants',
};
/** The one role of a marketplace membership (what migration 0014 gives existing rows). */
const MARKETPLACE_ROLE = 'member';

function hidden(conversation: Conversation): PolicyDecision {
  return { allowed: false, code: 'NOT_FOUND', reason: `conversation ${conversation.id} not found` };
}

/** Store staff and customers live inside one tenant; admins span the platform. */
function isTenantBound(actor: Actor): boolean {
  return actor.type === 'store' || actor.type === 'customer';
}

function canSee(
  actor: Actor,
  conversation: Conversation,
  membership: ConversationParticipant | null,
): boolean {
  if (membership === null) return false;
  if (!isTenantBound(actor)) return actor.type === 'admin';
  return actor.storeId !== null && conversation.storeId === actor.storeId;
}

/**
 * The marketplace rules (the default policy):
 * - admins start `admin_store` (with a store user) and `admin_customer` (with a customer);
 * - store users start `store_customer` only with customers of their own store;
 * - customers never start, close or reopen; they reply where they take part;
 * - only participants see a conversation, store users and customers only within their store;
 *   everyone else gets `NOT_FOUND`;
 * - admin and store participants close and reopen; a message is deleted by its sender or an admin.
 *
 * @example
 * ```ts
 * createMessagingCore({ policy: marketplacePolicy, store, directory, clock, ids, events, settings });
 * ```
 */
export const marketplacePolicy: AccessPolicy = {
  name: 'marketplace',
  participantTypes: MARKETPLACE_PARTICIPANT_TYPES,
  conversationTypes: MARKETPLACE_CONVERSATION_TYPES,

  validateActor(actor: Actor): PolicyDecision {
    if (!(MARKETPLACE_PARTICIPANT_TYPES as readonly string[]).includes(actor.type)) {
      return { allowed: false, code: 'FORBIDDEN', reason: `unknown participant type ${actor.type}` };
    }
    if (isTenantBound(actor) && (actor.storeId === null || actor.storeId === '')) {
      return { allowed: false, code: 'FORBIDDEN', reason: `a ${actor.type} must act within a store` };
    }
    if (actor.id === '') return { allowed: false, code: 'FORBIDDEN', reason: 'actor id is empty' };
    return ALLOWED;
  },

  decideStartKind(actor: Actor, conversationType: string, recipientTypes: readonly string[]): PolicyDecision {
    const definition = MARKETPLACE_CONVERSATION_TYPES.find((d) => d.type === conversationType);
    if (!definition) {
      return {
        allowed: false,
        code: 'VALIDATION',
        field: 'conversation_type',
        reason: `conversation_type must be one of ${MARKETPLACE_CONVERSATION_TYPES.map((d) => d.type).join(', ')}`,
      };
    }
    const [starterType, expectedRecipient] = definition.participantTypes;
    if (actor.type !== starterType) {
      return {
        allowed: false,
        code: 'FORBIDDEN',
        reason: `a ${actor.type} may not start ${conversationType} conversations`,
      };
    }
    const [recipientType] = recipientTypes;
    if (recipientTypes.length !== 1 || recipientType === undefined) {
      return {
        allowed: false,
        code: 'VALIDATION',
        field: 'participants',
        reason: `${conversationType} conversations are between exactly two participants`,
      };
    }
    if (recipientType !== expectedRecipient) {
      return {
        allowed: false,
        code: 'VALIDATION',
        field: 'recipient_type',
        reason: `${conversationType} conversations are with a ${expectedRecipient}, not a ${recipientType}`,
      };
    }
    return ALLOWED;
  },

  decideStart(actor: Actor, conversationType: string, recipients: readonly DirectoryEntry[]): StartDecision {
    const kind = marketplacePolicy.decideStartKind(
      actor,
      conversationType,
      recipients.map((r) => r.ref.type),
    );
    if (!kind.allowed) return kind;
    const recipient = recipients[0]!;
    const recipientType = recipient.ref.type;
    if (actor.type === 'admin') {
      if (recipient.storeId === null) {
        return {
          allowed: false,
          code: 'NOT_FOUND',
          reason: `${recipientType} ${recipient.ref.id} not found`,
        };
      }
      return { allowed: true, storeId: recipient.storeId };
    }
    // A store user reaches only their own store's customers; another store's customer is
    // reported missing so tenants cannot probe each other.
    if (actor.storeId === null || recipient.storeId !== actor.storeId) {
      return { allowed: false, code: 'NOT_FOUND', reason: `${recipientType} ${recipient.ref.id} not found` };
    }
    return { allowed: true, storeId: actor.storeId };
  },

  decide(
    actor: Actor,
    action: ConversationAction,
    conversation: Conversation,
    membership: ConversationParticipant | null,
  ): PolicyDecision {
    if (!canSee(actor, conversation, membership)) return hidden(conversation);
    switch (action) {
      case 'view':
      case 'send':
      case 'read':
      case 'update_preferences':
        return ALLOWED;
      case 'close':
      case 'reopen':
        if (actor.type === 'admin' || actor.type === 'store') return ALLOWED;
        return {
          allowed: false,
          code: 'FORBIDDEN',
          reason: `a ${actor.type} may not ${action} conversations`,
        };
      case 'add_participant':
      case 'remove_participant':
      case 'change_role':
      case 'leave':
        return TWO_PARTY_ONLY;
    }
  },

  decideDeleteMessage(actor: Actor, message: Message, _membership: ConversationParticipant): PolicyDecision {
    if (message.isSystemMessage) {
      return { allowed: false, code: 'FORBIDDEN', reason: 'system messages cannot be deleted' };
    }
    if (message.sender.type === actor.type && message.sender.id === actor.id) return ALLOWED;
    if (actor.type === 'admin') return ALLOWED;
    return { allowed: false, code: 'FORBIDDEN', reason: 'only the sender or an admin may delete a message' };
  },

  decidePurgeFiles(actor: Actor, _message: Message, _membership: ConversationParticipant): PolicyDecision {
    if (actor.type === 'admin') return ALLOWED;
    return { allowed: false, code: 'FORBIDDEN', reason: 'only an admin may purge the files of a message' };
  },

  recipientScope(actor: Actor, recipientType: string): RecipientScope {
    if (actor.type === 'admin') {
      if (recipientType === 'store' || recipientType === 'customer') return { allowed: true, storeId: null };
      return { allowed: false, reason: `admins message store users and customers, not ${recipientType}` };
    }
    if (actor.type === 'store') {
      if (recipientType === 'customer' && actor.storeId !== null)
        return { allowed: true, storeId: actor.storeId };
      return { allowed: false, reason: 'store users may only list their own customers' };
    }
    return { allowed: false, reason: `a ${actor.type} may not list recipients` };
  },

  inboxStoreScope(actor: Actor): string | null {
    return isTenantBound(actor) ? actor.storeId : null;
  },
  memberRoles(_conversationType: string): readonly string[] {
    return [MARKETPLACE_ROLE];
  },

  initialRole(_conversationType: string, _participant: ParticipantRef, _isCreator: boolean): string {
    return MARKETPLACE_ROLE;
  },

  sizeLimits(_conversationType: string): { readonly min: number; readonly max: number } {
    return { min: 2, max: 2 };
  },

  historyVisibleToNewMembers(_conversationType: string): boolean {
    return true;
  },

  /** Marketplace conversations are exactly two members: every change is refused (hidden ones: NOT_FOUND). */
  decideMembershipChange(
    actor: Actor,
    _change: MembershipChange,
    conversation: Conversation,
    actorMembership: ConversationParticipant | null,
    _activeMembers: number,
  ): PolicyDecision {
    if (!canSee(actor, conversation, actorMembership)) return hidden(conversation);
    return TWO_PARTY_ONLY;
  },
};
