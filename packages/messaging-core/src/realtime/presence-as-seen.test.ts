import { describe, expect, it } from 'vitest';
import { careTeamDefinition, careTeamPolicy } from '../conversations/policy/care-team-policy.js';
import { createAccessPolicy } from '../conversations/policy/create-access-policy.js';
import { marketplaceDefinition } from '../conversations/policy/marketplace-policy.js';
import { definitionProblems } from '../conversations/policy/policy-definition.js';
import type { PresenceStatus } from './model/live-signal.js';
import { presenceAsSeen } from './presence-as-seen.js';

const AT = new Date('2026-05-01T10:00:00.000Z');
const view = (status: PresenceStatus) => ({ status, lastActiveAt: AT });

describe('presenceAsSeen', () => {
  it('shows care-team clinicians only as available or not, without their last activity', () => {
    expect(presenceAsSeen(careTeamPolicy, 'clinician', view('online'))).toEqual({
      status: 'online',
      lastActiveAt: null,
    });
    expect(presenceAsSeen(careTeamPolicy, 'clinician', view('away'))).toEqual({
      status: 'online',
      lastActiveAt: null,
    });
    expect(presenceAsSeen(careTeamPolicy, 'clinician', view('offline'))).toEqual({
      status: 'offline',
      lastActiveAt: null,
    });
  });

  it('shows every other type in full', () => {
    for (const type of ['therapist', 'user', 'admin'])
      for (const status of ['online', 'away', 'offline'] as const)
        expect(presenceAsSeen(careTeamPolicy, type, view(status))).toEqual(view(status));
    const marketplace = createAccessPolicy(marketplaceDefinition);
    expect(presenceAsSeen(marketplace, 'store', view('away'))).toEqual(view('away'));
    expect(presenceAsSeen(marketplace, 'nobody-knows', view('away'))).toEqual(view('away'));
  });

  it('is policy data that definitions validate', () => {
    expect(careTeamDefinition.participantTypes.find((p) => p.type === 'clinician')?.presence).toBe(
      'available',
    );
    const broken = {
      ...careTeamDefinition,
      participantTypes: careTeamDefinition.participantTypes.map((p) =>
        p.type === 'user' ? { ...p, presence: 'invisible' as unknown as 'full' } : p,
      ),
    };
    expect(definitionProblems(broken)).toEqual([
      'participant type user has a presence that is neither "full" nor "available"',
    ]);
    expect(definitionProblems(careTeamDefinition)).toEqual([]);
  });
});
