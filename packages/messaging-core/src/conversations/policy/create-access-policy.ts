import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import { type Actor, type ParticipantRef, sameParticipant } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import type {
  AccessPolicy,
  CapabilityScope,
  ConversationAction,
  DecisionFacts,
  MembershipChange,
  PolicyDecision,
  RecipientScope,
  StartDecision,
} from './access-policy.js';
import {
  type CapabilityRow,
  type ConversationTypeSpec,
  definitionProblems,
  NON_MEMBER,
  type Pattern,
  type PermissionRow,
  type PlatformCapability,
  type PolicyAction,
  type PolicyDefinition,
  type PolicyPredicate,
} from './policy-definition.js';

/** Thrown by `createAccessPolicy` for a definition it cannot evaluate; lists every problem. */
export class InvalidPolicyDefinitionError extends Error {
  readonly problems: readonly string[];
  constructor(name: string, problems: readonly string[]) {
    super(`invalid policy definition ${name}: ${problems.join('; ')}`);
    this.name = 'InvalidPolicyDefinitionError';
    this.problems = problems;
  }
}

type Refusal = Extract<PolicyDecision, { allowed: false }>;

const ALLOWED: PolicyDecision = { allowed: true };

/** Refusals when no row allows and the definition's table says nothing. */
const DEFAULT_REFUSALS: Readonly<Record<string, string>> = {
  start: 'a {actor} may not start {conversationType} conversations',
  view: 'a {actor} may not view conversations',
  send: 'a {actor} may not send messages in {conversationType} conversations',
  read: 'a {actor} may not mark {conversationType} conversations read',
  close: 'a {actor} may not close conversations',
  reopen: 'a {actor} may not reopen conversations',
  update_preferences: 'a {actor} may not change preferences of {conversationType} conversations',
  add_participant: 'a {actor} may not add participants to {conversationType} conversations',
  remove_participant: 'a {actor} may not remove participants from {conversationType} conversations',
  change_role: 'a {actor} may not change member roles in {conversationType} conversations',
  leave: 'a {actor} may not leave {conversationType} conversations',
  rename: 'a {actor} may not rename {conversationType} conversations',
  delete_message: 'a {actor} may not delete this message',
  purge_message_files: 'a {actor} may not purge the files of a message',
  block: 'a {actor} may not block this person',
  archive: 'a {actor} may not archive {conversationType} conversations',
  edit_message: 'only the sender may edit a message',
  view_message_revisions: 'a {actor} may not read the earlier versions of this message',
  list_recipients: 'a {actor} may not list recipients',
};

function matches(pattern: Pattern, value: string): boolean {
  if (typeof pattern === 'string') return pattern === '*' || pattern === value;
  return pattern.includes(value);
}

function matchesRole(pattern: Pattern, role: string): boolean {
  // '*' is any member; a non-member is only matched when named.
  if (pattern === '*') return role !== NON_MEMBER;
  return matches(pattern, role);
}

function hasTenant(tenantId: string | null | undefined): tenantId is string {
  return tenantId !== null && tenantId !== undefined && tenantId !== '';
}

/** What the named predicates are evaluated against. */
interface Facts {
  readonly actor: Actor;
  readonly conversation?: Conversation;
  readonly recipients?: readonly DirectoryEntry[];
  readonly message?: Message;
  readonly scope?: CapabilityScope;
  readonly blockedBy?: readonly ParticipantRef[];
  readonly answered?: boolean;
}

const PREDICATES: Readonly<Record<PolicyPredicate, (facts: Facts) => boolean>> = {
  sameTenant: ({ actor, conversation }) =>
    hasTenant(actor.tenantId) && conversation !== undefined && conversation.tenantId === actor.tenantId,
  recipientInActorTenant: ({ actor, recipients }) =>
    hasTenant(actor.tenantId) && (recipients ?? []).every((r) => r.storeId === actor.tenantId),
  isSender: ({ actor, message }) => message !== undefined && sameParticipant(message.sender, actor),
  targetIsSelf: ({ actor, recipients }) =>
    recipients !== undefined &&
    recipients.length > 0 &&
    recipients.every((r) => sameParticipant(r.ref, actor)),
  ownTenant: ({ actor, scope }) =>
    hasTenant(actor.tenantId) && (scope?.tenantId === undefined || scope.tenantId === actor.tenantId),
  blockedByRecipient: ({ blockedBy }) => (blockedBy ?? []).length > 0,
  answered: ({ answered }) => answered === true,
};

function withBlocks(facts: Facts, extra: DecisionFacts | undefined): Facts {
  return extra?.blockedBy === undefined ? facts : { ...facts, blockedBy: extra.blockedBy };
}

function withAnswered(facts: Facts, extra: DecisionFacts | undefined): Facts {
  return extra?.answered === undefined ? facts : { ...facts, answered: extra.answered };
}

function holds(when: readonly PolicyPredicate[] | undefined, facts: Facts): boolean {
  return (when ?? []).every((p) => PREDICATES[p](facts));
}

/** Placeholders of a refusal text. */
interface Wording {
  readonly actor: string;
  readonly action: string;
  readonly conversationType?: string;
  readonly recipientType?: string;
}

function fill(text: string, wording: Wording): string {
  return text
    .replaceAll('{actor}', wording.actor)
    .replaceAll('{action}', wording.action)
    .replaceAll('{conversationType}', wording.conversationType ?? '')
    .replaceAll('{recipientType}', wording.recipientType ?? '');
}

function notFound(type: string, id: string): Refusal {
  return { allowed: false, code: 'NOT_FOUND', reason: `${type} ${id} not found` };
}

function hidden(conversation: Conversation): Refusal {
  return notFound('conversation', conversation.id);
}

/**
 * The one evaluator: turns a `PolicyDefinition` (tables and named predicates) into the
 * `AccessPolicy` the cores ask. Validates the definition first and throws
 * `InvalidPolicyDefinitionError` listing every problem, so a broken preset fails at start-up, not
 * on a request; then freezes it deeply, so the tables cannot change under the policy.
 *
 * Built in, whatever the tables say (the floor `accessPolicyContract` checks):
 * - a tenant-bound actor never sees, starts or joins anything outside its tenant (`NOT_FOUND`);
 * - a conversation is visible only through a `view` row: for members, or for non-members when a
 *   row names role `'none'` (monitoring, explicit);
 * - unknown participant and conversation types are refused; a recipient the actor may not reach
 *   is refused exactly like a missing one.
 *
 * @example
 * ```ts
 * export const marketplacePolicy = createAccessPolicy(marketplaceDefinition);
 * createAccessPolicy({ ...marketplaceDefinition, permissions: [{ who: 'nobody', action: 'view', conversationType: '*' }] });
 * // throws InvalidPolicyDefinitionError: "… permission row 1 names unknown participant type nobody"
 * ```
 */
export function createAccessPolicy(definition: PolicyDefinition): AccessPolicy {
  const problems = definitionProblems(definition);
  if (problems.length > 0) throw new InvalidPolicyDefinitionError(definition.name, problems);
  // Decisions must stay pure functions of their arguments: nobody edits the tables afterwards.
  deepFreeze(definition);

  const participantTypes = definition.participantTypes.map((p) => p.type);
  const tenantBound = new Set(definition.participantTypes.filter((p) => p.tenantBound).map((p) => p.type));
  const specs = new Map<string, ConversationTypeSpec>(definition.conversationTypes.map((c) => [c.type, c]));
  const allows = definition.permissions.filter((r) => r.effect !== 'deny');
  const denies = definition.permissions.filter((r) => r.effect === 'deny');
  const typeNames = definition.conversationTypes.map((c) => c.type);

  const known = (type: string) => participantTypes.includes(type);
  const isTenantBound = (type: string) => tenantBound.has(type);

  function refusalText(key: string, wording: Wording): string {
    const entry = definition.refusals?.[key];
    const text =
      typeof entry === 'string'
        ? entry
        : (entry?.[wording.actor] ?? entry?.['*'] ?? DEFAULT_REFUSALS[key] ?? 'a {actor} may not {action}');
    return fill(text, wording);
  }

  function forbidden(key: string, wording: Wording): Refusal {
    return { allowed: false, code: 'FORBIDDEN', reason: refusalText(key, wording) };
  }

  function rowMatches(
    row: PermissionRow,
    action: PolicyAction,
    actorType: string,
    conversationType: string | null,
    role: string | null,
  ): boolean {
    if (!matches(row.who, actorType)) return false;
    if (!actionMatches(row.action, action)) return false;
    // Without a conversation type (message actions) only rows for every type apply.
    if (
      conversationType === null
        ? row.conversationType !== '*'
        : !matches(row.conversationType, conversationType)
    )
      return false;
    return role === null || matchesRole(row.role ?? '*', role);
  }

  function withTypes(row: PermissionRow, spec: ConversationTypeSpec | undefined): Pattern {
    return row.with ?? spec?.participantTypes ?? '*';
  }

  /**
   * The table's verdict on one action: deny rows first, then allow rows; a matched allow row
   * whose predicate failed refuses with its own `refusal` when it has one.
   */
  function judge(
    action: PolicyAction,
    actor: Actor,
    conversationType: string | null,
    role: string | null,
    facts: Facts,
    targetType?: string,
  ): PolicyDecision {
    const spec = conversationType === null ? undefined : specs.get(conversationType);
    const applies = (row: PermissionRow) =>
      rowMatches(row, action, actor.type, conversationType, role) &&
      (targetType === undefined || matches(withTypes(row, spec), targetType));
    for (const row of denies)
      if (applies(row) && holds(row.when, facts))
        return { allowed: false, code: row.code ?? 'FORBIDDEN', reason: row.reason ?? '' };
    let failed: PermissionRow | undefined;
    for (const row of allows) {
      if (!applies(row)) continue;
      if (holds(row.when, facts)) return ALLOWED;
      failed ??= row;
    }
    const wording = { actor: actor.type, action, conversationType: conversationType ?? '' };
    if (failed?.refusal !== undefined)
      return { allowed: false, code: 'FORBIDDEN', reason: fill(failed.refusal, wording) };
    return forbidden(action, wording);
  }

  function roleOf(membership: ConversationParticipant | null, spec: ConversationTypeSpec): string {
    if (membership === null) return NON_MEMBER;
    return membership.role ?? spec.memberRoles[0] ?? NON_MEMBER;
  }

  /** Tenant floor, then a `view` row (members, or explicit non-member monitoring). */
  function canSee(
    actor: Actor,
    conversation: Conversation,
    membership: ConversationParticipant | null,
  ): boolean {
    const spec = specs.get(conversation.conversationType);
    if (!spec || !known(actor.type)) return false;
    if (isTenantBound(actor.type) && (!hasTenant(actor.tenantId) || conversation.tenantId !== actor.tenantId))
      return false;
    const role = roleOf(membership, spec);
    return judge('view', actor, spec.type, role, { actor, conversation }).allowed;
  }

  function specOf(conversationType: string): ConversationTypeSpec {
    const spec = specs.get(conversationType);
    if (!spec)
      throw new RangeError(`unknown conversation type ${conversationType} in policy ${definition.name}`);
    return spec;
  }

  function unknownConversationType(): Refusal {
    return {
      allowed: false,
      code: 'VALIDATION',
      field: 'conversation_type',
      reason: `conversation_type must be one of ${typeNames.join(', ')}`,
    };
  }

  function sizeWording(spec: ConversationTypeSpec): string {
    const { min, max } = spec.size;
    return min === max ? `exactly ${min}` : `${min} to ${max}`;
  }

  const policy: AccessPolicy = {
    name: definition.name,
    definition,
    participantTypes,
    conversationTypes: definition.conversationTypes.map((c) => ({
      type: c.type,
      participantTypes: c.participantTypes,
    })),

    isTenantBound,

    validateActor(actor) {
      if (!known(actor.type)) {
        return { allowed: false, code: 'FORBIDDEN', reason: `unknown participant type ${actor.type}` };
      }
      if (isTenantBound(actor.type) && !hasTenant(actor.tenantId)) {
        return {
          allowed: false,
          code: 'FORBIDDEN',
          reason: `a ${actor.type} must act within a ${definition.tenantLabel}`,
        };
      }
      if (actor.id === '') return { allowed: false, code: 'FORBIDDEN', reason: 'actor id is empty' };
      return ALLOWED;
    },

    decideStartKind(actor, conversationType, recipientTypes) {
      const spec = specs.get(conversationType);
      if (!spec) return unknownConversationType();
      if (!known(actor.type)) {
        return { allowed: false, code: 'FORBIDDEN', reason: `unknown participant type ${actor.type}` };
      }
      // Deny rows without predicates can be judged before any lookup (those with predicates wait
      // for decideStart, which knows the recipients).
      for (const row of denies)
        if (
          row.when === undefined &&
          rowMatches(row, 'start', actor.type, conversationType, null) &&
          recipientTypes.some((t) => matches(withTypes(row, spec), t))
        )
          return { allowed: false, code: row.code ?? 'FORBIDDEN', reason: row.reason ?? '' };
      const rows = allows.filter((row) => rowMatches(row, 'start', actor.type, conversationType, null));
      if (rows.length === 0)
        return forbidden('start', { actor: actor.type, action: 'start', conversationType });
      const reachable = [
        ...new Set(
          rows.flatMap((row) => {
            const pattern = withTypes(row, spec);
            return pattern === '*'
              ? spec.participantTypes
              : typeof pattern === 'string'
                ? [pattern]
                : pattern;
          }),
        ),
      ];
      for (const recipientType of recipientTypes) {
        if (!reachable.includes(recipientType)) {
          return {
            allowed: false,
            code: 'VALIDATION',
            field: 'recipient_type',
            reason: `${conversationType} conversations are with a ${reachable.join(' or a ')}, not a ${recipientType}`,
          };
        }
      }
      const size = recipientTypes.length + 1;
      if (size < spec.size.min || size > spec.size.max) {
        return {
          allowed: false,
          code: 'VALIDATION',
          field: 'participants',
          reason: `${conversationType} conversations have ${sizeWording(spec)} participants, not ${size}`,
        };
      }
      return ALLOWED;
    },

    decideStart(actor, conversationType, recipients, extra): StartDecision {
      const kind = policy.decideStartKind(
        actor,
        conversationType,
        recipients.map((r) => r.ref.type),
      );
      if (!kind.allowed) return kind;
      const spec = specOf(conversationType);
      for (const recipient of recipients) {
        if (sameParticipant(recipient.ref, actor)) {
          return {
            allowed: false,
            code: 'VALIDATION',
            field: 'participants',
            reason: 'you cannot start a conversation with yourself',
          };
        }
      }
      // Tenancy: a recipient the actor may not reach answers like a missing one, so tenants
      // cannot probe each other's people.
      let tenant: string | null = isTenantBound(actor.type) ? actor.tenantId : null;
      for (const recipient of recipients) {
        const missing = notFound(recipient.ref.type, recipient.ref.id);
        if (!isTenantBound(recipient.ref.type)) continue;
        if (!hasTenant(recipient.storeId)) return missing;
        if (isTenantBound(actor.type)) {
          if (!hasTenant(actor.tenantId) || recipient.storeId !== actor.tenantId) return missing;
        } else if (tenant === null) tenant = recipient.storeId;
        else if (recipient.storeId !== tenant) {
          return {
            allowed: false,
            code: 'VALIDATION',
            field: 'participants',
            reason: `the participants of a conversation belong to one ${definition.tenantLabel}`,
          };
        }
      }
      for (const recipient of recipients) {
        const facts: Facts = withBlocks(
          { actor, recipients: [recipient] },
          extra?.blockedBy === undefined
            ? undefined
            : { blockedBy: extra.blockedBy.filter((b) => sameParticipant(b, recipient.ref)) },
        );
        const verdict = judge('start', actor, conversationType, null, facts, recipient.ref.type);
        if (verdict.allowed) continue;
        // A predicate that failed without a reason of its own says nothing about the recipient.
        const ownRule = allows.some(
          (row) =>
            rowMatches(row, 'start', actor.type, conversationType, null) &&
            matches(withTypes(row, spec), recipient.ref.type) &&
            row.refusal !== undefined,
        );
        const denied = denies.some(
          (row) =>
            rowMatches(row, 'start', actor.type, conversationType, null) &&
            matches(withTypes(row, spec), recipient.ref.type) &&
            holds(row.when, facts),
        );
        return ownRule || denied ? verdict : notFound(recipient.ref.type, recipient.ref.id);
      }
      return { allowed: true, tenantId: tenant };
    },

    decide(actor, action: ConversationAction, conversation, membership, extra) {
      if (!canSee(actor, conversation, membership)) return hidden(conversation);
      if (action === 'view') return ALLOWED;
      const spec = specOf(conversation.conversationType);
      return judge(
        action,
        actor,
        spec.type,
        roleOf(membership, spec),
        withBlocks({ actor, conversation }, extra),
      );
    },

    decideBlock(actor, target) {
      if (!known(actor.type)) return forbidden('block', { actor: actor.type, action: 'block' });
      if (sameParticipant(actor, target.ref))
        return { allowed: false, code: 'VALIDATION', field: 'username', reason: 'you cannot block yourself' };
      return judge('block', actor, null, null, { actor, recipients: [target] }, target.ref.type);
    },

    decideMembershipChange(actor, change: MembershipChange, conversation, actorMembership, activeMembers) {
      if (!canSee(actor, conversation, actorMembership)) return hidden(conversation);
      const spec = specOf(conversation.conversationType);
      const { target } = change;
      const action = (
        {
          add: 'add_participant',
          remove: 'remove_participant',
          change_role: 'change_role',
          leave: 'leave',
        } as const
      )[change.kind];
      if (change.kind === 'leave') {
        if (actorMembership === null || !sameParticipant(target.ref, actor)) {
          return {
            allowed: false,
            code: 'VALIDATION',
            field: 'participant',
            reason: 'only a member may leave, and only for themselves',
          };
        }
      }
      const verdict = judge(
        action,
        actor,
        spec.type,
        roleOf(actorMembership, spec),
        { actor, conversation, recipients: [target] },
        target.ref.type,
      );
      if (!verdict.allowed) return verdict;
      const who = `${target.ref.type} ${target.ref.id}`;
      const role = change.role ?? spec.memberRoles[0];
      const badRole: Refusal = {
        allowed: false,
        code: 'VALIDATION',
        field: 'role',
        reason: `role must be one of ${spec.memberRoles.join(', ')}`,
      };
      switch (change.kind) {
        case 'add': {
          // Another tenant's person is reported missing, like in decideStart.
          if (
            isTenantBound(target.ref.type) &&
            (!hasTenant(target.storeId) || target.storeId !== conversation.tenantId)
          )
            return notFound(target.ref.type, target.ref.id);
          if (!spec.participantTypes.includes(target.ref.type)) {
            return {
              allowed: false,
              code: 'VALIDATION',
              field: 'participant_type',
              reason: `${spec.type} conversations admit ${spec.participantTypes.join(', ')}, not ${target.ref.type}`,
            };
          }
          if (change.targetMembership !== null)
            return {
              allowed: false,
              code: 'VALIDATION',
              field: 'participant',
              reason: `${who} is already a member`,
            };
          if (role === undefined || !spec.memberRoles.includes(role)) return badRole;
          if (activeMembers + 1 > spec.size.max) {
            return {
              allowed: false,
              code: 'VALIDATION',
              field: 'participants',
              reason: `${spec.type} conversations have at most ${spec.size.max} participants`,
            };
          }
          return ALLOWED;
        }
        case 'change_role':
          if (change.targetMembership === null) return notFound(target.ref.type, target.ref.id);
          if (role === undefined || !spec.memberRoles.includes(role)) return badRole;
          return ALLOWED;
        case 'remove':
        case 'leave':
          if (change.targetMembership === null) return notFound(target.ref.type, target.ref.id);
          // The minimum binds what others do to a conversation, never whether a member may go:
          // nobody is held in a conversation (see `leaveConversation`).
          if (change.kind === 'remove' && activeMembers - 1 < spec.size.min) {
            return {
              allowed: false,
              code: 'VALIDATION',
              field: 'participants',
              reason: `${spec.type} conversations have at least ${spec.size.min} participants`,
            };
          }
          return ALLOWED;
      }
    },

    memberRoles: (conversationType) => specOf(conversationType).memberRoles,

    initialRole(conversationType, _participant: ParticipantRef, isCreator) {
      const spec = specOf(conversationType);
      const configured = isCreator ? spec.initialRoles?.creator : spec.initialRoles?.others;
      return configured ?? spec.memberRoles[0] ?? NON_MEMBER;
    },

    sizeLimits(conversationType) {
      const { min, max } = specOf(conversationType).size;
      return { min, max };
    },

    historyVisibleToNewMembers: (conversationType) => specOf(conversationType).historyVisibleToNewMembers,

    team: (conversationType) => specs.get(conversationType)?.team ?? null,

    teamInboxScope(actor) {
      if (!isTenantBound(actor.type) || !hasTenant(actor.tenantId)) return null;
      const teams = definition.conversationTypes.filter((c) => c.team?.participantTypes.includes(actor.type));
      if (teams.length === 0) return null;
      return {
        tenantId: actor.tenantId,
        conversationTypes: teams.map((c) => c.type),
        teamParticipantTypes: [...new Set(teams.flatMap((c) => c.team?.participantTypes ?? []))],
      };
    },
    onePerPair: (conversationType) => specOf(conversationType).onePerPair === true,

    deletion: (conversationType) => specOf(conversationType).deletion ?? 'for_everyone',

    decideDeleteMessage(actor, message: Message, membership) {
      if (message.isSystemMessage) {
        return { allowed: false, code: 'FORBIDDEN', reason: 'system messages cannot be deleted' };
      }
      // The message names no conversation type: only rows for every type apply.
      return judge('delete_message', actor, null, membership.role ?? '*', { actor, message });
    },

    decideEditMessage(actor, message: Message, membership, extra) {
      if (message.isSystemMessage) {
        return { allowed: false, code: 'FORBIDDEN', reason: 'system messages cannot be edited' };
      }
      // The message names no conversation type: only rows for every type apply.
      return judge(
        'edit_message',
        actor,
        null,
        membership.role ?? '*',
        withAnswered({ actor, message }, extra),
      );
    },

    readsAnswered: () =>
      definition.permissions.some(
        (row) => actionMatches(row.action, 'edit_message') && row.when?.includes('answered') === true,
      ),

    decideViewRevisions(actor, message: Message, membership) {
      return judge('view_message_revisions', actor, null, membership.role ?? '*', { actor, message });
    },

    decidePurgeFiles(actor, message, membership) {
      return judge('purge_message_files', actor, null, membership.role ?? '*', { actor, message });
    },

    recipientScope(actor, recipientType): RecipientScope {
      const wording = { actor: actor.type, action: 'list_recipients', recipientType };
      const reachable = allows.some(
        (row) =>
          matches(row.who, actor.type) &&
          actionMatches(row.action, 'start') &&
          names(row.conversationType, typeNames).some((t) =>
            matches(withTypes(row, specs.get(t)), recipientType),
          ),
      );
      if (!known(actor.type) || !reachable || (isTenantBound(actor.type) && !hasTenant(actor.tenantId)))
        return { allowed: false, reason: refusalText('list_recipients', wording) };
      return { allowed: true, tenantId: isTenantBound(actor.type) ? actor.tenantId : null };
    },

    inboxTenantScope: (actor) => (isTenantBound(actor.type) ? actor.tenantId : null),

    allows(actor, capability: PlatformCapability, scope: CapabilityScope = {}) {
      const wording = { actor: actor.type, action: capability };
      if (!known(actor.type)) return forbidden(capability, wording);
      let failed: CapabilityRow | undefined;
      for (const row of definition.capabilities) {
        if (!matches(row.who, actor.type)) continue;
        if (!matches(row.capability, capability)) continue;
        if (holds(row.when, { actor, scope })) return ALLOWED;
        failed ??= row;
      }
      if (failed?.refusal !== undefined)
        return { allowed: false, code: 'FORBIDDEN', reason: fill(failed.refusal, wording) };
      return forbidden(capability, wording);
    },

    mayEver(participantType, permission) {
      if (!known(participantType)) return false;
      return (
        allows.some((row) => matches(row.who, participantType) && actionMatches(row.action, permission)) ||
        definition.capabilities.some(
          (row) => matches(row.who, participantType) && matches(row.capability, permission),
        )
      );
    },
  };
  return policy;
}

/** The names a pattern covers, `'*'` expanded to `all`. */
function names(pattern: Pattern, all: readonly string[]): readonly string[] {
  if (pattern === '*') return all;
  return typeof pattern === 'string' ? [pattern] : pattern;
}

function actionMatches(pattern: PermissionRow['action'], action: string): boolean {
  if (pattern === '*') return true;
  return typeof pattern === 'string' ? pattern === action : (pattern as readonly string[]).includes(action);
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  for (const inner of Object.values(value)) deepFreeze(inner);
  Object.freeze(value);
}
