import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import type { PresenceView } from './presence-tracker.js';

/**
 * A person's presence as the others see it, coarsened as the policy's participant type says
 * (`ParticipantTypeDefinition.presence`): `full` types as they are; `available` types show
 * `online` while reachable (online or away) and `offline` otherwise, never their last activity.
 * Pure; the transports apply it to every presence frame and answer.
 *
 * @example
 * ```ts
 * presenceAsSeen(careTeamPolicy, 'clinician', { status: 'away', lastActiveAt: new Date() });
 * // { status: 'online', lastActiveAt: null }
 * ```
 */
export function presenceAsSeen(
  policy: Pick<AccessPolicy, 'definition'>,
  participantType: string,
  presence: PresenceView,
): PresenceView {
  const definition = policy.definition.participantTypes.find((p) => p.type === participantType);
  if ((definition?.presence ?? 'full') === 'full') return presence;
  return { status: presence.status === 'offline' ? 'offline' : 'online', lastActiveAt: null };
}
