import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../../kernel/model/directory-entry.js';
import type { Actor } from '../../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { Message } from '../../model/message.js';
import type {
  AccessPolicy,
  ConversationAction,
  MembershipChange,
  PolicyDecision,
} from '../../policy/access-policy.js';
import {
  definitionProblems,
  NON_MEMBER,
  type PermissionRow,
  PLATFORM_CAPABILITIES,
  POLICY_ACTIONS,
} from '../../policy/policy-definition.js';

export interface AccessPolicyContractFixtures {
  /** Two distinct tenant ids: the actors' own and another one. Default `['tenant-a', 'tenant-b']`. */
  readonly tenants?: readonly [string, string];
  /** Seed of the random sample in the determinism check (printed in its name, to replay it). */
  readonly seed?: number;
}

export interface AccessPolicyContractOptions {
  readonly policy: AccessPolicy;
  readonly fixtures?: AccessPolicyContractFixtures;
}

const ACTIONS: readonly ConversationAction[] = [
  'view',
  'send',
  'read',
  'close',
  'reopen',
  'update_preferences',
  'add_participant',
  'remove_participant',
  'change_role',
  'leave',
  'rename',
];
const CHANGE_KINDS: readonly MembershipChange['kind'][] = ['add', 'remove', 'change_role', 'leave'];
/** Capabilities that act on one tenant's data, which a tenant-bound actor may only use on its own. */
const TENANT_SCOPED = ['manage_tenant_email', 'read_email_log', 'view_any_tenant_email_settings'] as const;
const T0 = new Date('2026-01-01T00:00:00.000Z');

/** Deterministic PRNG (mulberry32): the same seed replays the same sample. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function listOf(
  pattern: PermissionRow['who'] | PermissionRow['action'] | undefined,
): readonly string[] | '*' {
  if (pattern === undefined || pattern === '*') return '*';
  return typeof pattern === 'string' ? [pattern] : pattern;
}

/**
 * The invariants every access policy preset must keep, whatever its tables say. Pure: it builds
 * actors, conversations, memberships and directory entries for every participant type, conversation
 * type, member role and tenant the policy's definition declares, and asks the policy.
 *
 * - the definition is valid: known types, actions, roles and predicates in every row;
 * - a non-member never sees a conversation, unless a `view` row names role `'none'` for that type
 *   (monitoring, explicit), and then never across tenants;
 * - whatever an actor may not see answers exactly like a missing id (`NOT_FOUND`, same reason, no
 *   field), for every action and membership change;
 * - a refused start never depends on the recipient: `decideStart` answers what `decideStartKind`
 *   answered, for any recipient, and an unreachable recipient answers like a missing one;
 * - unknown participant and conversation types are refused everywhere;
 * - tenant isolation: a tenant-bound actor never sees, starts with, lists, adds or administers
 *   anything of another tenant;
 * - size limits hold for starts and membership changes; roles come from the declared ones;
 * - decisions are deterministic and never mutate their arguments (seeded random sample).
 *
 * @example
 * ```ts
 * accessPolicyContract('marketplace', { policy: marketplacePolicy });
 * accessPolicyContract('care-team', { policy: careTeamPolicy, fixtures: { tenants: ['clinic-1', 'clinic-2'] } });
 * ```
 */
export function accessPolicyContract(name: string, options: AccessPolicyContractOptions): void {
  const { policy } = options;
  const definition = policy.definition;
  const [home, other] = options.fixtures?.tenants ?? ['tenant-a', 'tenant-b'];
  const seed = options.fixtures?.seed ?? 20_260_101;
  const types = definition.participantTypes.map((p) => p.type);
  const conversationTypes = definition.conversationTypes.map((c) => c.type);

  const actorOf = (type: string, id = `${type}-1`, tenant: string | null = home): Actor => ({
    type,
    id,
    tenantId: policy.isTenantBound(type) ? tenant : null,
  });
  const entryOf = (type: string, id: string, tenant: string | null): DirectoryEntry => ({
    ref: { type, id },
    name: `${type} ${id}`,
    email: null,
    locale: 'en',
    storeId: policy.isTenantBound(type) ? tenant : null,
  });
  const conversationOf = (type: string, tenant: string | null): Conversation => ({
    id: `conv-${type}-${tenant ?? 'none'}`,
    conversationType: type,
    subject: 'Subject',
    tenantId: tenant,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: T0,
    updatedAt: T0,
  });
  const membershipOf = (
    actor: Actor,
    conversation: Conversation,
    role?: string,
  ): ConversationParticipant => ({
    conversationId: conversation.id,
    participant: { type: actor.type, id: actor.id },
    tenantId: actor.tenantId,
    role:
      role ??
      definition.conversationTypes.find((t) => t.type === conversation.conversationType)?.memberRoles[0] ??
      'member',
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: T0,
    joinedAt: T0,
    leftAt: null,
    visibleFromSeq: 1,
  });
  const missing = (conversation: Conversation): PolicyDecision => ({
    allowed: false,
    code: 'NOT_FOUND',
    reason: `conversation ${conversation.id} not found`,
  });
  /** Does the definition say, explicitly, that `type` sees `conversationType` conversations it is not in? */
  const monitors = (type: string, conversationType: string) =>
    definition.permissions.some((row) => {
      if (row.effect === 'deny') return false;
      const who = listOf(row.who);
      const actions = listOf(row.action);
      const convs = listOf(row.conversationType);
      const roles = listOf(row.role);
      return (
        (who === '*' || who.includes(type)) &&
        (actions === '*' || actions.includes('view')) &&
        (convs === '*' || convs.includes(conversationType)) &&
        roles !== '*' &&
        roles.includes(NON_MEMBER)
      );
    });
  /** Every membership an actor can hold: none, each declared role, and no role recorded (the default). */
  const memberships = (conversationType: string): readonly (string | null | undefined)[] => [
    null,
    undefined,
    ...policy.memberRoles(conversationType),
  ];
  const tenantsOf = (type: string): readonly (string | null)[] =>
    policy.isTenantBound(type) ? [home, other, null] : [home, null];

  describe(`AccessPolicy contract: ${name}`, () => {
    describe('the definition', () => {
      it('is valid: every row names known participant types, actions, conversation types, roles and predicates', () => {
        expect(definitionProblems(definition)).toEqual([]);
        expect(policy.name).toBe(definition.name);
        expect(policy.participantTypes).toEqual(types);
        expect(policy.conversationTypes.map((c) => c.type)).toEqual(conversationTypes);
        for (const row of definition.permissions) {
          const actions = listOf(row.action);
          if (actions !== '*') for (const a of actions) expect(POLICY_ACTIONS).toContain(a);
        }
      });

      it('every conversation type admits only known participant types, within sane size limits and roles', () => {
        expect(conversationTypes.length).toBeGreaterThan(0);
        for (const c of definition.conversationTypes) {
          for (const t of c.participantTypes) expect(types).toContain(t);
          const { min, max } = policy.sizeLimits(c.type);
          // A team type (support) may be opened alone: its team answers without being added.
          expect(min).toBeGreaterThanOrEqual(policy.team(c.type) === null ? 2 : 1);
          expect(max).toBeGreaterThanOrEqual(min);
          const roles = policy.memberRoles(c.type);
          expect(roles.length).toBeGreaterThan(0);
          expect(roles).not.toContain(NON_MEMBER);
          expect(typeof policy.historyVisibleToNewMembers(c.type)).toBe('boolean');
          for (const t of c.participantTypes)
            for (const creator of [true, false])
              expect(roles).toContain(policy.initialRole(c.type, { type: t, id: 'x' }, creator));
        }
      });
    });

    describe('visibility', () => {
      it('a non-member never sees a conversation, unless the definition explicitly lets its type monitor that type', () => {
        for (const type of types)
          for (const conversationType of conversationTypes)
            for (const tenant of [home, other, null]) {
              const actor = actorOf(type);
              const conversation = conversationOf(conversationType, tenant);
              const decision = policy.decide(actor, 'view', conversation, null);
              if (!monitors(type, conversationType)) expect(decision).toEqual(missing(conversation));
              else if (policy.isTenantBound(type) && tenant !== home)
                expect(decision).toEqual(missing(conversation));
            }
      });

      it('whatever an actor may not see answers exactly like a missing id, for every action and membership change', () => {
        let hiddenCount = 0;
        for (const type of types)
          for (const conversationType of conversationTypes)
            for (const tenant of tenantsOf(type))
              for (const role of memberships(conversationType)) {
                const actor = actorOf(type);
                const conversation = conversationOf(conversationType, tenant);
                const membership = role === null ? null : membershipOf(actor, conversation, role);
                if (policy.decide(actor, 'view', conversation, membership).allowed) continue;
                hiddenCount++;
                for (const action of ACTIONS)
                  expect(policy.decide(actor, action, conversation, membership)).toEqual(
                    missing(conversation),
                  );
                for (const kind of CHANGE_KINDS) {
                  const target =
                    kind === 'leave' ? entryOf(type, actor.id, tenant) : entryOf(type, 'someone', tenant);
                  const change: MembershipChange = { kind, target, targetMembership: null };
                  expect(policy.decideMembershipChange(actor, change, conversation, membership, 2)).toEqual(
                    missing(conversation),
                  );
                }
              }
        expect(hiddenCount).toBeGreaterThan(0);
      });
    });

    describe('starting conversations', () => {
      it('a refusal of the kind is the whole answer, whoever the recipient is (known, unknown, another tenant)', () => {
        for (const type of types)
          for (const conversationType of conversationTypes)
            for (const recipientType of types) {
              const actor = actorOf(type);
              const kind = policy.decideStartKind(actor, conversationType, [recipientType]);
              if (kind.allowed) continue;
              for (const tenant of [home, other, null])
                for (const id of ['exists', 'does-not-exist'])
                  expect(
                    policy.decideStart(actor, conversationType, [entryOf(recipientType, id, tenant)]),
                  ).toEqual(kind);
            }
      });

      it("a recipient the actor may not reach answers exactly like a missing one; a start stays in the actor's tenant", () => {
        for (const type of types)
          for (const conversationType of conversationTypes)
            for (const recipientType of types) {
              const actor = actorOf(type);
              if (!policy.decideStartKind(actor, conversationType, [recipientType]).allowed) continue;
              for (const tenant of [home, other, null]) {
                const recipient = entryOf(recipientType, 'r-1', tenant);
                const decision = policy.decideStart(actor, conversationType, [recipient]);
                if (!decision.allowed) {
                  if (decision.code === 'NOT_FOUND')
                    expect(decision).toEqual({
                      allowed: false,
                      code: 'NOT_FOUND',
                      reason: `${recipientType} r-1 not found`,
                    });
                  continue;
                }
                if (policy.isTenantBound(type)) {
                  expect(decision.tenantId).toBe(home);
                  if (policy.isTenantBound(recipientType)) expect(tenant).toBe(home);
                }
                if (policy.isTenantBound(recipientType)) expect(decision.tenantId).toBe(tenant);
              }
            }
      });

      it('respects the size limits: a start never has fewer or more participants than its type allows', () => {
        for (const type of types)
          for (const conversationType of conversationTypes) {
            const { min, max } = policy.sizeLimits(conversationType);
            const actor = actorOf(type);
            for (const recipientType of types) {
              for (const count of [min - 2, max, max + 1]) {
                if (count < 0) continue;
                const recipients = Array.from({ length: count }, () => recipientType);
                const decision = policy.decideStartKind(actor, conversationType, recipients);
                if (count + 1 < min || count + 1 > max) expect(decision.allowed).toBe(false);
              }
            }
          }
      });

      it('never starts with yourself', () => {
        for (const type of types)
          for (const conversationType of conversationTypes) {
            const actor = actorOf(type);
            const self = entryOf(type, actor.id, home);
            expect(policy.decideStart(actor, conversationType, [self]).allowed).toBe(false);
          }
      });
    });

    describe('unknown types', () => {
      const stranger: Actor = { type: 'no-such-type', id: 'x-1', tenantId: home };

      it('an actor of an unknown type is refused by every question', () => {
        expect(policy.validateActor(stranger)).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
        for (const conversationType of conversationTypes) {
          const conversation = conversationOf(conversationType, home);
          for (const action of ACTIONS)
            expect(
              policy.decide(stranger, action, conversation, membershipOf(stranger, conversation)),
            ).toEqual(missing(conversation));
          for (const t of types)
            expect(policy.decideStartKind(stranger, conversationType, [t]).allowed).toBe(false);
        }
        for (const t of types) expect(policy.recipientScope(stranger, t).allowed).toBe(false);
        for (const capability of PLATFORM_CAPABILITIES)
          expect(policy.allows(stranger, capability).allowed).toBe(false);
        expect(policy.mayEver(stranger.type, 'view')).toBe(false);
      });

      it('a conversation of an unknown type is hidden; starting one is a VALIDATION naming conversation_type', () => {
        const conversation = conversationOf('no-such-conversation-type', home);
        for (const type of types) {
          const actor = actorOf(type);
          for (const action of ACTIONS)
            expect(policy.decide(actor, action, conversation, membershipOf(actor, conversation))).toEqual(
              missing(conversation),
            );
          expect(policy.decideStartKind(actor, conversation.conversationType, [type])).toMatchObject({
            allowed: false,
            code: 'VALIDATION',
            field: 'conversation_type',
          });
        }
      });

      it('a recipient of an unknown type is refused', () => {
        for (const type of types)
          for (const conversationType of conversationTypes) {
            expect(policy.decideStartKind(actorOf(type), conversationType, ['no-such-type']).allowed).toBe(
              false,
            );
            expect(policy.recipientScope(actorOf(type), 'no-such-type').allowed).toBe(false);
          }
      });
    });

    describe('tenant isolation', () => {
      it("a tenant-bound actor sees and does nothing in another tenant's conversation, member or not", () => {
        for (const type of types.filter((t) => policy.isTenantBound(t)))
          for (const conversationType of conversationTypes)
            for (const tenant of [other, null])
              for (const role of memberships(conversationType)) {
                const actor = actorOf(type);
                const conversation = conversationOf(conversationType, tenant);
                const membership = role === null ? null : membershipOf(actor, conversation, role);
                for (const action of ACTIONS)
                  expect(policy.decide(actor, action, conversation, membership)).toEqual(
                    missing(conversation),
                  );
              }
      });

      it('a tenant-bound actor is refused without a tenant, and its inbox, recipient lists and capabilities stay in its tenant', () => {
        for (const type of types.filter((t) => policy.isTenantBound(t))) {
          expect(policy.validateActor(actorOf(type, `${type}-1`, null)).allowed).toBe(false);
          const actor = actorOf(type);
          expect(policy.inboxTenantScope(actor)).toBe(home);
          for (const recipientType of types) {
            const scope = policy.recipientScope(actor, recipientType);
            if (scope.allowed) expect(scope.tenantId).toBe(home);
          }
          for (const capability of TENANT_SCOPED)
            expect(policy.allows(actor, capability, { tenantId: other }).allowed).toBe(false);
        }
      });

      it('nobody adds a person of another tenant to a conversation (answered like a missing person)', () => {
        for (const type of types)
          for (const conversationType of conversationTypes)
            for (const role of policy.memberRoles(conversationType))
              for (const targetType of types.filter((t) => policy.isTenantBound(t))) {
                const actor = actorOf(type);
                const conversation = conversationOf(conversationType, home);
                const membership = membershipOf(actor, conversation, role);
                const target = entryOf(targetType, 'outsider', other);
                const decision = policy.decideMembershipChange(
                  actor,
                  { kind: 'add', target, targetMembership: null },
                  conversation,
                  membership,
                  2,
                );
                expect(decision.allowed).toBe(false);
              }
      });
    });

    describe('membership changes', () => {
      it('never grows a conversation past its maximum, nor shrinks it below its minimum', () => {
        for (const type of types)
          for (const conversationType of conversationTypes) {
            const { min, max } = policy.sizeLimits(conversationType);
            const conversation = conversationOf(conversationType, home);
            const actor = actorOf(type);
            for (const role of policy.memberRoles(conversationType)) {
              const membership = membershipOf(actor, conversation, role);
              for (const targetType of types) {
                const target = entryOf(targetType, 't-1', home);
                const add = policy.decideMembershipChange(
                  actor,
                  { kind: 'add', target, targetMembership: null },
                  conversation,
                  membership,
                  max,
                );
                expect(add.allowed).toBe(false);
                const targetMembership = membershipOf(
                  { type: targetType, id: 't-1', tenantId: target.storeId },
                  conversation,
                );
                const remove = policy.decideMembershipChange(
                  actor,
                  { kind: 'remove', target, targetMembership },
                  conversation,
                  membership,
                  min,
                );
                expect(remove.allowed).toBe(false);
              }
              // Leaving is never refused for the size: nobody is held in a conversation.
              const leave = policy.decideMembershipChange(
                actor,
                { kind: 'leave', target: entryOf(type, actor.id, home), targetMembership: membership },
                conversation,
                membership,
                min,
              );
              expect(leave.allowed || leave.field !== 'participants').toBe(true);
            }
          }
      });

      it('a role outside the declared ones is never granted', () => {
        for (const type of types)
          for (const conversationType of conversationTypes) {
            const conversation = conversationOf(conversationType, home);
            const actor = actorOf(type);
            for (const role of policy.memberRoles(conversationType)) {
              const membership = membershipOf(actor, conversation, role);
              for (const targetType of types) {
                const target = entryOf(targetType, 't-1', home);
                const targetMembership = membershipOf(
                  { type: targetType, id: 't-1', tenantId: target.storeId },
                  conversation,
                );
                for (const change of [
                  { kind: 'add', target, role: 'no-such-role', targetMembership: null },
                  { kind: 'change_role', target, role: 'no-such-role', targetMembership },
                ] as const)
                  expect(
                    policy.decideMembershipChange(actor, change, conversation, membership, 2).allowed,
                  ).toBe(false);
              }
            }
          }
      });
    });

    describe('purity', () => {
      it(`decisions are deterministic and never mutate their arguments (seed ${seed})`, () => {
        const next = random(seed);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
        const tenants = [home, other, null] as const;
        for (let round = 0; round < 300; round++) {
          const type = pick([...types, 'no-such-type']);
          const conversationType = pick([...conversationTypes, 'no-such-conversation-type']);
          const conversation = conversationOf(conversationType, pick(tenants));
          const actor = actorOf(type, pick(['a-1', 'a-2']), pick(tenants));
          const role = pick([
            null,
            undefined,
            'member',
            'no-such-role',
            ...(policy.definition.conversationTypes[0]?.memberRoles ?? []),
          ]);
          const membership = role === null ? null : membershipOf(actor, conversation, role);
          const recipient = entryOf(pick(types), pick(['r-1', actor.id]), pick(tenants));
          const message: Message = {
            id: 'm-1',
            conversationId: conversation.id,
            seq: 1,
            sender: pick([{ type: actor.type, id: actor.id }, recipient.ref]),
            content: 'hello',
            isSystemMessage: next() < 0.2,
            isDeleted: false,
            deletedAt: null,
            deletedBy: null,
            createdAt: T0,
            attachments: [],
          };
          const change: MembershipChange = {
            kind: pick(CHANGE_KINDS),
            target: recipient,
            targetMembership: next() < 0.5 ? null : membershipOf(actor, conversation),
          };
          const action = pick(ACTIONS);
          const activeMembers = Math.floor(next() * 6);
          const capability = pick(PLATFORM_CAPABILITIES);
          const tenantId = pick(tenants);
          const calls: (() => unknown)[] = [
            () => policy.validateActor(actor),
            () => policy.decide(actor, action, conversation, membership),
            () => policy.decideStartKind(actor, conversationType, [recipient.ref.type]),
            () => policy.decideStart(actor, conversationType, [recipient]),
            () => policy.decideMembershipChange(actor, change, conversation, membership, activeMembers),
            () => policy.recipientScope(actor, recipient.ref.type),
            () => policy.inboxTenantScope(actor),
            () => policy.allows(actor, capability, { tenantId }),
            () => (membership === null ? null : policy.decideDeleteMessage(actor, message, membership)),
            () => (membership === null ? null : policy.decidePurgeFiles(actor, message, membership)),
          ];
          for (const value of [actor, conversation, membership, recipient, message, change])
            deepFreeze(value);
          const call = pick(calls);
          // Frozen arguments make any mutation throw (ES modules run in strict mode).
          const first = call();
          expect(call()).toEqual(first);
        }
      });
    });
  });
}
