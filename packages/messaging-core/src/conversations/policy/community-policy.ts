import type { AccessPolicy } from './access-policy.js';
import { createAccessPolicy } from './create-access-policy.js';
import type { PolicyDefinition } from './policy-definition.js';
import type { Preset } from './preset.js';

// PLACEHOLDER — the community rules are being written (issue 11); this minimal table only keeps
// the preset registry compiling.
export const communityDefinition: PolicyDefinition = {
  name: 'community',
  tenantLabel: 'community',
  participantTypes: [
    { type: 'student', label: 'Student', tenantBound: true },
    { type: 'mentor', label: 'Mentor', tenantBound: true },
    { type: 'admin', label: 'Admin', tenantBound: true },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['student', 'mentor', 'admin'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
  ],
  permissions: [{ who: '*', action: ['view', 'send', 'read'], conversationType: '*' }],
  capabilities: [],
};

export const communityPolicy: AccessPolicy = createAccessPolicy(communityDefinition);

export const communityPreset: Preset = {
  name: 'community',
  description:
    'A learning community: students, mentors and admins in direct, group and support conversations.',
  definition: communityDefinition,
  policy: communityPolicy,
  demo: { tenants: [], people: [], conversations: [] },
};
