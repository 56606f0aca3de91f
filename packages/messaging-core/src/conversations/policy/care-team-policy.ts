import type { AccessPolicy } from './access-policy.js';
import { createAccessPolicy } from './create-access-policy.js';
import type { PolicyDefinition } from './policy-definition.js';
import type { Preset } from './preset.js';

// PLACEHOLDER — the care-team rules are being written (issue 11); this minimal table only keeps
// the preset registry compiling.
export const careTeamDefinition: PolicyDefinition = {
  name: 'care-team',
  tenantLabel: 'care team',
  participantTypes: [
    { type: 'therapist', label: 'Therapist', tenantBound: false },
    { type: 'clinician', label: 'Clinician', tenantBound: false },
    { type: 'user', label: 'User', tenantBound: false },
    { type: 'admin', label: 'Admin', tenantBound: false },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['therapist', 'clinician', 'user', 'admin'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
  ],
  permissions: [{ who: '*', action: ['view', 'send', 'read'], conversationType: '*' }],
  capabilities: [],
};

export const careTeamPolicy: AccessPolicy = createAccessPolicy(careTeamDefinition);

export const careTeamPreset: Preset = {
  name: 'care-team',
  description: 'Therapists, clinicians, users and admins messaging each other securely.',
  definition: careTeamDefinition,
  policy: careTeamPolicy,
  demo: { tenants: [], people: [], conversations: [] },
};
