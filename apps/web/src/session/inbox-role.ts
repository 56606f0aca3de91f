/** The kind of platform the API runs (`PARLEY_PRESET`): each has its own roles and views. */
export type InboxPreset = 'marketplace' | 'care-team' | 'community';

/** What the signed-in person's own membership of a conversation is, as the views ask about it. */
export interface Membership {
  readonly conversationType: string;
  /** Their role in the conversation (`member`, `admin`, `requester`, `agent` …); null: not a member. */
  readonly memberRole: string | null;
}

/** What the signed-in person may do in the inbox; what they may not do is not offered at all. */
export interface InboxRole {
  /** The token's role. */
  readonly role: string;
  readonly preset: InboxPreset;
  /**
   * May start conversations ("New conversation"): the role has people to write to (`recipients`)
   * or may start a group.
   */
  readonly canCompose: boolean;
  /** May open a support request alone ("New support request", the community's students and mentors). */
  readonly canRequestSupport: boolean;
  /** How the header names the signed-in person's role. */
  readonly label: string;
  /** The list's type filter: conversation types the role takes part in, named by counterpart. */
  readonly types: readonly { readonly value: string; readonly label: string }[];
  /**
   * Whom a new conversation may be with — the participant types the policy lets the role start a
   * conversation with, searched through `GET /api/v1/conversations/recipients` — and the
   * conversation type of a conversation with one of them.
   */
  readonly recipients: readonly {
    readonly type: string;
    readonly label: string;
    readonly conversationType: string;
  }[];
  /**
   * The group the role may start (several people and a name: the community's mentors and admins),
   * from any of the `recipients` types; null when it starts conversations with one person only.
   */
  readonly group: { readonly conversationType: string; readonly minOthers: number } | null;
  /** The list shows one entry per counterpart (the care-team's people), their role named. */
  readonly groupByCounterpart: boolean;
  /** Own messages say who read them and when ("Read 10:42", "Read by 2 of 3"), not only "Read". */
  readonly readDetails: boolean;
  /** Labels of participant types, to name a counterpart's role ("Dr Kim · Clinician"). */
  readonly typeLabels: Readonly<Record<string, string>>;
  /** May close and reopen this conversation. */
  mayClose(membership: Membership): boolean;
  /** May write in this conversation (a monitoring admin reads only). */
  mayReply(membership: Membership): boolean;
  /** May add and remove members, change their roles and rename the conversation. */
  mayManageMembers(membership: Membership): boolean;
  /** May leave the conversation. */
  mayLeave(membership: Membership): boolean;
}

const never = () => false;
const always = () => true;

interface Partial {
  readonly label: string;
  readonly canCompose?: boolean;
  readonly canRequestSupport?: boolean;
  readonly types?: InboxRole['types'];
  readonly recipients?: InboxRole['recipients'];
  readonly mayClose?: InboxRole['mayClose'];
}

function marketplace(role: string, given: Partial): InboxRole {
  return {
    role,
    preset: 'marketplace',
    canCompose: given.canCompose ?? false,
    canRequestSupport: false,
    label: given.label,
    types: given.types ?? [],
    recipients: given.recipients ?? [],
    group: null,
    groupByCounterpart: false,
    readDetails: false,
    typeLabels: { admin: 'Marketplace', store: 'Store', customer: 'Customer' },
    mayClose: given.mayClose ?? never,
    mayReply: always,
    mayManageMembers: never,
    mayLeave: never,
  };
}

const CARE_TEAM_LABELS = { therapist: 'Therapist', clinician: 'Clinician', user: 'User', admin: 'Admin' };

/**
 * The care-team's people: one conversation per pair, never closed, never more than two members.
 * Admins may read any conversation (a monitoring read the API records) but write only in their own.
 * Therapists, clinicians and admins start conversations with anyone; users with therapists, users
 * and admins — a clinician writes to a user first, the user only replies.
 */
function careTeam(role: keyof typeof CARE_TEAM_LABELS): InboxRole {
  const reachable = Object.keys(CARE_TEAM_LABELS).filter((type) => role !== 'user' || type !== 'clinician');
  return {
    role,
    preset: 'care-team',
    canCompose: true,
    canRequestSupport: false,
    label: CARE_TEAM_LABELS[role],
    types: [],
    recipients: reachable.map((type) => ({
      type,
      label: CARE_TEAM_LABELS[type as keyof typeof CARE_TEAM_LABELS],
      conversationType: 'direct',
    })),
    group: null,
    groupByCounterpart: true,
    readDetails: true,
    typeLabels: CARE_TEAM_LABELS,
    mayClose: never,
    mayReply: (m) => m.memberRole !== null,
    mayManageMembers: never,
    mayLeave: never,
  };
}

const COMMUNITY_LABELS = { student: 'Student', mentor: 'Mentor', admin: 'Community admin' };

/** A community group has 3 to 500 members: its creator and at least two others. */
const COMMUNITY_GROUP_MIN_OTHERS = 2;

/**
 * The community's people (docs/community.md): direct conversations, groups whose admins manage
 * members, roles and the name, and support requests that the community's admins answer as a team
 * (without having been added). The rows here mirror the policy's matrix; the API still decides:
 * everyone starts direct conversations with anyone of their community (students: with students,
 * mentors and admins, which is everyone), mentors and admins also start groups.
 */
function community(role: keyof typeof COMMUNITY_LABELS): InboxRole {
  const admin = role === 'admin';
  return {
    role,
    preset: 'community',
    canCompose: true,
    canRequestSupport: !admin,
    label: COMMUNITY_LABELS[role],
    types: [
      { value: 'direct', label: 'Direct' },
      { value: 'group', label: 'Groups' },
      { value: 'support', label: 'Support' },
    ],
    recipients: Object.entries(COMMUNITY_LABELS).map(([type, label]) => ({
      type,
      label,
      conversationType: 'direct',
    })),
    group: role === 'student' ? null : { conversationType: 'group', minOthers: COMMUNITY_GROUP_MIN_OTHERS },
    groupByCounterpart: false,
    readDetails: true,
    typeLabels: COMMUNITY_LABELS,
    mayClose: (m) =>
      m.conversationType === 'direct'
        ? admin && m.memberRole !== null
        : m.conversationType === 'group'
          ? m.memberRole === 'admin'
          : m.conversationType === 'support' && (admin || m.memberRole === 'requester'),
    mayReply: (m) => m.memberRole !== null || (admin && m.conversationType === 'support'),
    mayManageMembers: (m) => m.conversationType === 'group' && m.memberRole === 'admin',
    mayLeave: (m) => m.conversationType === 'group' && m.memberRole !== null,
  };
}

const ROLES: Readonly<Record<InboxPreset, Readonly<Record<string, InboxRole>>>> = {
  marketplace: {
    admin: marketplace('admin', {
      canCompose: true,
      mayClose: always,
      label: 'Marketplace admin',
      types: [
        { value: 'admin_store', label: 'Stores' },
        { value: 'admin_customer', label: 'Customers' },
      ],
      recipients: [
        { type: 'store', label: 'Store user', conversationType: 'admin_store' },
        { type: 'customer', label: 'Customer', conversationType: 'admin_customer' },
      ],
    }),
    store: marketplace('store', {
      canCompose: true,
      mayClose: always,
      label: 'Store',
      types: [
        { value: 'store_customer', label: 'Customers' },
        { value: 'admin_store', label: 'Marketplace' },
      ],
      recipients: [{ type: 'customer', label: 'Customer', conversationType: 'store_customer' }],
    }),
    customer: marketplace('customer', { label: 'Customer' }),
  },
  'care-team': {
    therapist: careTeam('therapist'),
    clinician: careTeam('clinician'),
    user: careTeam('user'),
    admin: careTeam('admin'),
  },
  community: {
    student: community('student'),
    mentor: community('mentor'),
    admin: community('admin'),
  },
};

/**
 * The preset a token belongs to, from its claims alone; `undecided` for the one role two presets
 * share without a tenant — an `admin` of the marketplace or of the care-team — which the mount asks
 * the API about. Pure.
 *
 * @example
 * ```ts
 * presetOfClaims('mentor', 'north-high'); // 'community'
 * presetOfClaims('admin', null);          // 'undecided'
 * ```
 */
export function presetOfClaims(role: string, tenant: string | null): InboxPreset | 'undecided' | null {
  if (role === 'store' || role === 'customer') return 'marketplace';
  if (role === 'therapist' || role === 'clinician' || role === 'user') return 'care-team';
  if (role === 'student' || role === 'mentor') return 'community';
  // Only the community's admins belong to a tenant.
  if (role === 'admin') return tenant !== null ? 'community' : 'undecided';
  return null;
}

/**
 * The inbox role for a token's role claim in a preset, or null when this inbox has no view for
 * it. Pure; the API still decides every call.
 */
export function inboxRoleOf(role: string, preset: InboxPreset = 'marketplace'): InboxRole | null {
  return ROLES[preset][role] ?? null;
}
