import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { AccessPolicy, CapabilityScope } from './access-policy.js';
import type { PlatformCapability } from './policy-definition.js';

/**
 * Asks the policy about a platform capability and throws its refusal (`FORBIDDEN` with the
 * policy's reason) when it says no. For the cores outside conversations (email, templates, admin
 * notifications), which have no role checks of their own.
 *
 * @example
 * ```ts
 * requireCapability(policy, storeUser, 'view_admin_notifications');
 * // MessagingError FORBIDDEN: "only admins may read admin notifications"
 * ```
 */
export function requireCapability(
  policy: AccessPolicy,
  actor: Actor,
  capability: PlatformCapability,
  scope: CapabilityScope = {},
): void {
  const decision = policy.allows(actor, capability, scope);
  if (!decision.allowed) throw MessagingError.forbidden(decision.reason);
}

/**
 * The tenant whose email settings and templates `actor` manages: its own, when the policy grants
 * `manage_tenant_email`; `FORBIDDEN` otherwise (also for a platform-wide actor, who has no tenant
 * of its own to manage).
 */
export function tenantEmailOf(policy: AccessPolicy, actor: Actor): string {
  const decision = policy.allows(actor, 'manage_tenant_email', { tenantId: actor.tenantId });
  if (!decision.allowed) throw MessagingError.forbidden(decision.reason);
  // A definition granting it without `ownTenant` to a platform-wide type still names no tenant.
  if (actor.tenantId === null || actor.tenantId === '' || !policy.isTenantBound(actor.type))
    throw MessagingError.forbidden(
      `a ${actor.type} has no ${policy.definition.tenantLabel} whose email settings to manage`,
    );
  return actor.tenantId;
}
