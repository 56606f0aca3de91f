/**
 * A policy as data: who takes part, in which kinds of conversation, and who may do what. One
 * evaluator (`createAccessPolicy`) reads every definition, so presets differ only in their tables.
 */

/** A kind of person the policy knows (`admin`, `store`, `customer` in the marketplace). */
export interface ParticipantTypeDefinition {
  readonly type: string;
  /** Display label, e.g. "Store staff". */
  readonly label: string;
  /**
   * True when a participant of this type acts within one tenant (the token carries a tenant
   * claim, the directory entry a tenant); false for platform-wide participants.
   */
  readonly tenantBound: boolean;
  /**
   * The `{audience}` of this type's notification links (`PARLEY_INBOX_URL_TEMPLATE`): which of the
   * host's front ends a person of this type reads messages in. Default: the type itself.
   */
  readonly audience?: string;
  /** Do notification emails to this type carry the tenant's signature (a store's, to its customers)? Default false. */
  readonly tenantSignature?: boolean;
  /**
   * What others see of this type's presence: `full` (default) online, away or offline with the
   * last activity; `available` only whether they can be reached (online or away both show as
   * online) and no last activity — e.g. clinicians, whose working pattern is not the patients'
   * business. See `presenceAsSeen`.
   */
  readonly presence?: 'full' | 'available';
}

/** A kind of conversation. */
export interface ConversationTypeSpec {
  readonly type: string;
  /** The participant types it admits (for two-party types, the usual starter's first). */
  readonly participantTypes: readonly string[];
  /** Active members, creator included: at least `min`, at most `max`. */
  readonly size: { readonly min: number; readonly max: number };
  /** Member roles, the default first. */
  readonly memberRoles: readonly string[];
  /** Roles given at creation; absent: the default role. */
  readonly initialRoles?: { readonly creator?: string; readonly others?: string };
  /** Does a member who joins later see the messages sent before they joined? */
  readonly historyVisibleToNewMembers: boolean;
  /**
   * Handled as a team (support): every person of these tenant-bound `participantTypes` in the
   * conversation's tenant lists it in their inbox without being a member, and becomes a member
   * with `role` (no system message) when they first read or answer it. What the team may do
   * before that is said by permission rows with role `'none'` (usually with `sameTenant`).
   */
  readonly team?: { readonly participantTypes: readonly string[]; readonly role: string };
  /**
   * At most one conversation of this type per pair of people (two-party types only): starting
   * one with someone you already share one with reuses it (the core claims the pair atomically,
   * so two concurrent first messages still give one conversation). Default false.
   */
  readonly onePerPair?: boolean;
  /**
   * What deleting a message does. `for_everyone` (default): the message is soft-deleted for all.
   * `per_side`: it is hidden for the one who deleted it only; once every member has deleted it,
   * it is soft-deleted (`deletedAt` set) and never returned to anyone.
   */
  readonly deletion?: 'for_everyone' | 'per_side';
}

/** Conversation actions (`ConversationAction`), starting one, and the message actions. */
export const POLICY_ACTIONS = [
  'start',
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
  'delete_message',
  'purge_message_files',
  'block',
  'archive',
  'edit_message',
  'view_message_revisions',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * Platform-level capabilities: what the API checks outside conversations.
 * - `manage_platform_settings`: the platform settings (limits, attachment rules).
 * - `view_admin_notifications`: read and acknowledge admin notifications.
 * - `manage_platform_email_templates`: the platform's email templates and their previews.
 * - `view_any_tenant_email_settings`: read any tenant's email settings (secrets masked).
 * - `manage_tenant_email`: a tenant's own email settings and template overrides.
 * - `read_email_log`: the email log (of one tenant, or all).
 * - `manage_tenant_webhooks`: a tenant's own webhook endpoints (the platform's are for services).
 * - `moderate_messages`: the review queue (list, approve, reject) of one tenant, or all.
 * - `manage_tenant_moderation`: a tenant's moderation configuration (word list, contact details).
 * - `read_audit_log`: the audit log (of one tenant, or all).
 */
export const PLATFORM_CAPABILITIES = [
  'manage_platform_settings',
  'view_admin_notifications',
  'manage_platform_email_templates',
  'view_any_tenant_email_settings',
  'manage_tenant_email',
  'read_email_log',
  'manage_tenant_webhooks',
  'moderate_messages',
  'manage_tenant_moderation',
  'read_audit_log',
] as const;
export type PlatformCapability = (typeof PLATFORM_CAPABILITIES)[number];

/**
 * Named predicates, for what a table cannot say; a row holds only when all its predicates do.
 * - `sameTenant`: the conversation belongs to the actor's tenant (for a non-member row: "every
 *   admin of the tenant").
 * - `recipientInActorTenant`: every recipient / target is in the actor's tenant.
 * - `isSender`: the actor sent the message (`delete_message`).
 * - `targetIsSelf`: the target of a membership change is the actor.
 * - `ownTenant`: the capability is used on the actor's own tenant (`scope.tenantId` absent or
 *   equal to it).
 * - `blockedByRecipient`: a recipient of the start, or another member of the conversation, has
 *   blocked the actor (the use case loads the blocks and hands them over as facts); meant for
 *   deny rows on `start` and `send`.
 * - `answered`: someone else sent a message after this one (`edit_message`; the use case loads it
 *   when a row reads it): meant for deny rows such as "customers cannot edit once answered".
 */
export const POLICY_PREDICATES = [
  'sameTenant',
  'recipientInActorTenant',
  'isSender',
  'targetIsSelf',
  'ownTenant',
  'blockedByRecipient',
  'answered',
] as const;
export type PolicyPredicate = (typeof POLICY_PREDICATES)[number];

/** `'*'` (any), one name, or a list of names. */
export type Pattern = string | readonly string[];

/**
 * The member-role column. A role name (or list), `'*'` for any member role, or `'none'` for an
 * actor who is not a member: a `view` row with `'none'` lets that type see conversations it does
 * not take part in ("monitor all"), which is how a definition says so explicitly.
 */
export type RolePattern = Pattern;

/** One row of the permission matrix: who × action × conversation type × member role → allow (or deny). */
export interface PermissionRow {
  readonly who: Pattern;
  readonly action: PolicyAction | '*' | readonly PolicyAction[];
  readonly conversationType: Pattern;
  /**
   * The actor's member role. Default `'*'`: any member. Not read for `start` (nobody is a member
   * yet); for `delete_message` / `purge_message_files` by a member with no recorded role, only
   * rows for any role apply (the message does not name its conversation type, hence no default).
   */
  readonly role?: RolePattern;
  /**
   * For `start` and `add_participant`: the participant types of the recipients / target. Default:
   * the types the conversation type admits.
   */
  readonly with?: Pattern;
  /** Named predicates that must all hold. */
  readonly when?: readonly PolicyPredicate[];
  /** Default `allow`. Deny rows are read first and win over allow rows. */
  readonly effect?: 'allow' | 'deny';
  /** For a deny row: the refusal (e.g. "Users may only reply to clinicians"), `FORBIDDEN` unless `code` says otherwise. */
  readonly reason?: string;
  readonly code?: 'FORBIDDEN' | 'VALIDATION';
  /** For an allow row whose table columns matched but a predicate failed: the refusal's reason. */
  readonly refusal?: string;
}

/** One row of the capability table: who × capability → allow. */
export interface CapabilityRow {
  readonly who: Pattern;
  readonly capability: PlatformCapability | readonly PlatformCapability[];
  readonly when?: readonly PolicyPredicate[];
  /** The refusal when `who` matched but a predicate failed. */
  readonly refusal?: string;
}

/**
 * Refusal reasons when no row allows, by action or capability; a string, or one per participant
 * type (`'*'` the fallback). Placeholders: `{actor}` (the actor's type), `{action}`,
 * `{conversationType}`, `{recipientType}`.
 */
export type RefusalTable = Readonly<Partial<Record<string, string | Readonly<Record<string, string>>>>>;

/**
 * A whole preset. Validated by `createAccessPolicy` (every name known, sizes sane, roles declared).
 *
 * @example
 * ```ts
 * const policy = createAccessPolicy({
 *   name: 'team', tenantLabel: 'team',
 *   participantTypes: [{ type: 'member', label: 'Member', tenantBound: true }],
 *   conversationTypes: [{ type: 'group', participantTypes: ['member'], size: { min: 2, max: 50 },
 *     memberRoles: ['member', 'owner'], initialRoles: { creator: 'owner' }, historyVisibleToNewMembers: false }],
 *   permissions: [
 *     { who: 'member', action: 'start', conversationType: 'group', role: 'none' },
 *     { who: 'member', action: ['view', 'send', 'read', 'leave'], conversationType: 'group' },
 *     { who: 'member', action: ['add_participant', 'remove_participant'], conversationType: 'group', role: 'owner' },
 *   ],
 *   capabilities: [],
 * });
 * ```
 */
export interface PolicyDefinition {
  readonly name: string;
  /** What a tenant is called in refusals ("a customer must act within a store"). */
  readonly tenantLabel: string;
  readonly participantTypes: readonly ParticipantTypeDefinition[];
  readonly conversationTypes: readonly ConversationTypeSpec[];
  readonly permissions: readonly PermissionRow[];
  readonly capabilities: readonly CapabilityRow[];
  readonly refusals?: RefusalTable;
}

/** Reserved role-column value: the actor is not a member. */
export const NON_MEMBER = 'none';

const PREDICATES_BY_KIND = {
  conversation: [
    'sameTenant',
    'recipientInActorTenant',
    'isSender',
    'targetIsSelf',
    'blockedByRecipient',
    'answered',
  ],
  capability: ['ownTenant'],
} as const;

function names(pattern: Pattern): readonly string[] {
  return typeof pattern === 'string' ? (pattern === '*' ? [] : [pattern]) : pattern;
}

/**
 * Every problem of a definition, one sentence each (empty: valid). `createAccessPolicy` throws
 * with all of them, so a preset author sees every mistake at once.
 */
export function definitionProblems(definition: PolicyDefinition): string[] {
  const problems: string[] = [];
  const participantTypes = new Set<string>();
  if (definition.name.trim() === '') problems.push('name is empty');
  for (const p of definition.participantTypes) {
    if (p.type === '' || p.type === '*' || p.type === 'service')
      problems.push(`participant type "${p.type}" is reserved or empty`);
    if (participantTypes.has(p.type)) problems.push(`participant type ${p.type} is declared twice`);
    if (p.audience !== undefined && !/^[a-z0-9_-]{1,64}$/.test(p.audience))
      problems.push(
        `participant type ${p.type} has an audience that is not a URL segment (a-z, 0-9, _ and -)`,
      );
    if (p.presence !== undefined && p.presence !== 'full' && p.presence !== 'available')
      problems.push(`participant type ${p.type} has a presence that is neither "full" nor "available"`);
    participantTypes.add(p.type);
  }
  if (participantTypes.size === 0) problems.push('no participant types');
  const conversationTypes = new Map<string, ConversationTypeSpec>();
  for (const c of definition.conversationTypes) {
    if (c.type === '' || c.type === '*') problems.push(`conversation type "${c.type}" is reserved or empty`);
    if (conversationTypes.has(c.type)) problems.push(`conversation type ${c.type} is declared twice`);
    conversationTypes.set(c.type, c);
    if (c.participantTypes.length === 0)
      problems.push(`conversation type ${c.type} admits no participant type`);
    for (const t of c.participantTypes)
      if (!participantTypes.has(t))
        problems.push(`conversation type ${c.type} admits unknown participant type ${t}`);
    const { min, max } = c.size;
    // A team type may have one member: the person who opened it (the team answers without joining).
    const floor = c.team === undefined ? 2 : 1;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < floor || max < min)
      problems.push(
        `conversation type ${c.type} has an invalid size ${min}–${max} (integers, ${floor} ≤ min ≤ max)`,
      );
    if (c.memberRoles.length === 0) problems.push(`conversation type ${c.type} has no member roles`);
    for (const role of c.memberRoles)
      if (role === '' || role === '*' || role === NON_MEMBER)
        problems.push(`conversation type ${c.type} declares reserved role "${role}"`);
    if (c.team !== undefined) {
      if (!c.memberRoles.includes(c.team.role))
        problems.push(`conversation type ${c.type} gives its team the unknown role ${c.team.role}`);
      if (c.team.participantTypes.length === 0)
        problems.push(`conversation type ${c.type} has an empty team`);
      for (const t of c.team.participantTypes) {
        if (!c.participantTypes.includes(t))
          problems.push(`conversation type ${c.type} does not admit its team's participant type ${t}`);
        if (!definition.participantTypes.some((p) => p.type === t && p.tenantBound))
          problems.push(`conversation type ${c.type} has team type ${t}, which is not tenant-bound`);
      }
    }
    if (c.onePerPair === true && (c.size.min !== 2 || c.size.max !== 2))
      problems.push(`conversation type ${c.type} is one per pair but not exactly 2 participants`);
    for (const role of [c.initialRoles?.creator, c.initialRoles?.others])
      if (role !== undefined && !c.memberRoles.includes(role))
        problems.push(`conversation type ${c.type} gives the unknown initial role ${role}`);
  }
  if (conversationTypes.size === 0) problems.push('no conversation types');
  const allRoles = new Set([...conversationTypes.values()].flatMap((c) => c.memberRoles));
  definition.permissions.forEach((row, i) => {
    const at = `permission row ${i + 1}`;
    for (const who of names(row.who))
      if (!participantTypes.has(who)) problems.push(`${at} names unknown participant type ${who}`);
    const actions = typeof row.action === 'string' ? (row.action === '*' ? [] : [row.action]) : row.action;
    for (const action of actions)
      if (!(POLICY_ACTIONS as readonly string[]).includes(action))
        problems.push(`${at} names unknown action ${action}`);
    const types = names(row.conversationType);
    for (const type of types)
      if (!conversationTypes.has(type)) problems.push(`${at} names unknown conversation type ${type}`);
    const roleSet =
      types.length === 0
        ? allRoles
        : new Set(types.flatMap((t) => conversationTypes.get(t)?.memberRoles ?? []));
    for (const role of names(row.role ?? '*'))
      if (role !== NON_MEMBER && !roleSet.has(role)) problems.push(`${at} names unknown member role ${role}`);
    for (const t of names(row.with ?? '*'))
      if (!participantTypes.has(t)) problems.push(`${at} names unknown participant type ${t} in with`);
    for (const p of row.when ?? [])
      if (!(PREDICATES_BY_KIND.conversation as readonly string[]).includes(p))
        problems.push(`${at} names unknown predicate ${p}`);
    if (row.effect === 'deny' && (row.reason === undefined || row.reason.trim() === ''))
      problems.push(`${at} denies without a reason`);
    // Who starts or is reached must be a type the conversation admits.
    const startsOrAdds =
      actions.length === 0 || actions.some((a) => a === 'start' || a === 'add_participant');
    if (startsOrAdds && row.effect !== 'deny')
      for (const type of types) {
        const admitted = conversationTypes.get(type)?.participantTypes ?? [];
        for (const t of names(row.with ?? '*'))
          if (!admitted.includes(t)) problems.push(`${at}: conversation type ${type} does not admit ${t}`);
        if (actions.includes('start'))
          for (const who of names(row.who))
            if (!admitted.includes(who))
              problems.push(`${at}: conversation type ${type} does not admit its starter ${who}`);
      }
  });
  definition.capabilities.forEach((row, i) => {
    const at = `capability row ${i + 1}`;
    for (const who of names(row.who))
      if (!participantTypes.has(who)) problems.push(`${at} names unknown participant type ${who}`);
    const capabilities = typeof row.capability === 'string' ? [row.capability] : row.capability;
    for (const c of capabilities)
      if (!(PLATFORM_CAPABILITIES as readonly string[]).includes(c))
        problems.push(`${at} names unknown capability ${c}`);
    for (const p of row.when ?? [])
      if (!(PREDICATES_BY_KIND.capability as readonly string[]).includes(p))
        problems.push(`${at} names unknown predicate ${p}`);
  });
  const refusable = new Set<string>([...POLICY_ACTIONS, ...PLATFORM_CAPABILITIES, 'list_recipients']);
  for (const key of Object.keys(definition.refusals ?? {}))
    if (!refusable.has(key)) problems.push(`refusal for unknown action or capability ${key}`);
  return problems;
}
