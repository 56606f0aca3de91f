import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type {
  AccessPolicy,
  ConversationAction,
  MembershipChange,
  PolicyDecision,
  StartDecision,
} from '../policy/access-policy.js';
import { MARKETPLACE_CONVERSATION_TYPES, marketplacePolicy } from '../policy/marketplace-policy.js';

/** The conversation type the group test policy adds to the marketplace's. */
export const GROUP_CONVERSATION_TYPE = 'group';
/** Roles of a group member; the first is the default. */
export const GROUP_ROLES = ['member', 'owner', 'observer'] as const;
export const GROUP_SIZE = { min: 2, max: 50 } as const;

export interface GroupTestPolicyOptions {
  /** Whether a member added after creation sees the earlier messages (default true). */
  readonly historyVisibleToNewMembers?: boolean;
}

const ALLOWED: PolicyDecision = { allowed: true };

function isGroup(conversationType: string): boolean {
  return conversationType === GROUP_CONVERSATION_TYPE;
}

function notFound(ref: ParticipantRef): PolicyDecision {
  return { allowed: false, code: 'NOT_FOUND', reason: `${ref.type} ${ref.id} not found` };
}

function forbidden(reason: string): PolicyDecision {
  return { allowed: false, code: 'FORBIDDEN', reason };
}

/** Group members are the store users and customers of one store, the conversation's tenant. */
function inTenant(
  entry: { readonly ref: ParticipantRef; readonly storeId: string | null },
  storeId: string | null,
) {
  return (
    (entry.ref.type === 'store' || entry.ref.type === 'customer') &&
    storeId !== null &&
    entry.storeId === storeId
  );
}

function hidden(conversation: Conversation): PolicyDecision {
  return { allowed: false, code: 'NOT_FOUND', reason: `conversation ${conversation.id} not found` };
}

/**
 * A test preset for conversations of N participants, written as overrides of the marketplace
 * (`{ ...marketplacePolicy, name: 'group-test', ...overrides }`) so it keeps working whatever
 * shape the marketplace preset takes. It adds a `group` conversation type:
 * - started by a store user or a customer with 1 to 49 others of their own store (2..50 members);
 * - roles `member` (default), `owner` (the creator), `observer` (reads, never sends);
 * - owners add, remove and change roles, and close or reopen; anyone leaves;
 * - a member added later sees the earlier history unless `historyVisibleToNewMembers` is false.
 * Every marketplace type keeps the marketplace's rules (and its refusals of membership changes).
 *
 * @example
 * ```ts
 * const m = createInMemoryMessaging({ policy: createGroupTestPolicy({ historyVisibleToNewMembers: false }) });
 * ```
 */
export function createGroupTestPolicy(options: GroupTestPolicyOptions = {}): AccessPolicy {
  const historyVisible = options.historyVisibleToNewMembers ?? true;
  const base = marketplacePolicy;
  const overrides: Partial<AccessPolicy> = {
    conversationTypes: [
      ...MARKETPLACE_CONVERSATION_TYPES,
      { type: GROUP_CONVERSATION_TYPE, participantTypes: ['customer', 'customer'] },
    ],

    decideStartKind(
      actor: Actor,
      conversationType: string,
      recipientTypes: readonly string[],
    ): PolicyDecision {
      if (!isGroup(conversationType)) return base.decideStartKind(actor, conversationType, recipientTypes);
      if (actor.type !== 'store' && actor.type !== 'customer') {
        return forbidden(`a ${actor.type} may not start group conversations`);
      }
      const stranger = recipientTypes.find((t) => t !== 'store' && t !== 'customer');
      if (stranger !== undefined) {
        return {
          allowed: false,
          code: 'VALIDATION',
          field: 'participants',
          reason: `group conversations are between store users and customers, not a ${stranger}`,
        };
      }
      return ALLOWED;
    },

    decideStart(
      actor: Actor,
      conversationType: string,
      recipients: readonly DirectoryEntry[],
    ): StartDecision {
      if (!isGroup(conversationType)) return base.decideStart(actor, conversationType, recipients);
      const kind = overrides.decideStartKind!(
        actor,
        conversationType,
        recipients.map((r) => r.ref.type),
      );
      if (!kind.allowed) return kind;
      const outsider = recipients.find((r) => !inTenant(r, actor.tenantId));
      if (outsider) {
        return {
          allowed: false,
          code: 'NOT_FOUND',
          reason: `${outsider.ref.type} ${outsider.ref.id} not found`,
        };
      }
      return { allowed: true, tenantId: actor.tenantId };
    },

    decide(
      actor: Actor,
      action: ConversationAction,
      conversation: Conversation,
      membership: ConversationParticipant | null,
    ): PolicyDecision {
      if (!isGroup(conversation.conversationType))
        return base.decide(actor, action, conversation, membership);
      if (
        membership === null ||
        membership.leftAt !== null ||
        !inTenant({ ref: actor, storeId: actor.tenantId }, conversation.tenantId)
      ) {
        return hidden(conversation);
      }
      switch (action) {
        case 'view':
        case 'read':
        case 'update_preferences':
        case 'leave':
        case 'archive':
          return ALLOWED;
        case 'send':
          return membership.role === 'observer' ? forbidden('observers may not send messages') : ALLOWED;
        case 'close':
        case 'reopen':
        case 'add_participant':
        case 'remove_participant':
        case 'change_role':
        case 'rename':
          return membership.role === 'owner'
            ? ALLOWED
            : forbidden(`only an owner may ${action.replace('_', ' ')}`);
      }
    },

    memberRoles(conversationType: string): readonly string[] {
      return isGroup(conversationType) ? GROUP_ROLES : base.memberRoles(conversationType);
    },

    initialRole(conversationType: string, participant: ParticipantRef, isCreator: boolean): string {
      if (!isGroup(conversationType)) return base.initialRole(conversationType, participant, isCreator);
      return isCreator ? 'owner' : 'member';
    },

    sizeLimits(conversationType: string): { readonly min: number; readonly max: number } {
      return isGroup(conversationType) ? GROUP_SIZE : base.sizeLimits(conversationType);
    },

    historyVisibleToNewMembers(conversationType: string): boolean {
      return isGroup(conversationType) ? historyVisible : base.historyVisibleToNewMembers(conversationType);
    },

    onePerPair(conversationType: string): boolean {
      return isGroup(conversationType) ? false : base.onePerPair(conversationType);
    },

    deletion(conversationType: string): 'for_everyone' | 'per_side' {
      return isGroup(conversationType) ? 'for_everyone' : base.deletion(conversationType);
    },

    decideMembershipChange(
      actor: Actor,
      change: MembershipChange,
      conversation: Conversation,
      actorMembership: ConversationParticipant | null,
      activeMembers: number,
    ): PolicyDecision {
      if (!isGroup(conversation.conversationType)) {
        return base.decideMembershipChange(actor, change, conversation, actorMembership, activeMembers);
      }
      const action: ConversationAction =
        change.kind === 'add'
          ? 'add_participant'
          : change.kind === 'remove'
            ? 'remove_participant'
            : change.kind === 'change_role'
              ? 'change_role'
              : 'leave';
      const allowed = overrides.decide!(actor, action, conversation, actorMembership);
      if (!allowed.allowed) return allowed;
      if (change.kind === 'add' && !inTenant(change.target, conversation.tenantId))
        return notFound(change.target.ref);
      if (change.role !== undefined && !(GROUP_ROLES as readonly string[]).includes(change.role)) {
        return {
          allowed: false,
          code: 'VALIDATION',
          field: 'role',
          reason: `role must be one of ${GROUP_ROLES.join(', ')}`,
        };
      }
      if (change.kind === 'add' && activeMembers >= GROUP_SIZE.max) {
        return {
          allowed: false,
          code: 'VALIDATION',
          field: 'participants',
          reason: `group conversations have at most ${GROUP_SIZE.max} members`,
        };
      }
      return ALLOWED;
    },
  };
  return { ...base, name: 'group-test', ...overrides };
}

/** The group test policy with the history visible to new members. */
export const groupTestPolicy: AccessPolicy = createGroupTestPolicy();
