import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { assertActor, type CoreContext } from './context.js';

/** Who an authenticated caller claims to be (from a token, a session, a service call). */
export interface ActorClaims {
  readonly type: string;
  readonly id: string;
  readonly tenantId: string | null;
}

/**
 * Turns authenticated claims into an `Actor`, checked against the directory: the participant
 * must exist with that type, and belong to the claimed store (a store user's token must name
 * the store the directory says they belong to). Anything else is `FORBIDDEN`. The returned actor
 * carries its display name, so later calls need no lookup for it.
 *
 * @example
 * ```ts
 * const actor = await core.resolveActor({ type: 'store', id: 'u-sam', storeId: 'acme' });
 * await core.sendMessage(actor, { conversationId, content: 'Hi' });
 * ```
 */
export async function resolveActor(ctx: CoreContext, claims: ActorClaims): Promise<Actor> {
  const actor: Actor = { type: claims.type, id: claims.id, tenantId: claims.tenantId };
  assertActor(ctx, actor);
  const entry = await ctx.directory.resolve(actor);
  if (!entry) throw MessagingError.forbidden(`${claims.type} ${claims.id} is not known to the directory`);
  if (entry.storeId !== claims.tenantId) {
    throw MessagingError.forbidden(
      claims.tenantId === null
        ? `${claims.type} ${claims.id} belongs to a store; name it`
        : `${claims.type} ${claims.id} does not belong to store ${claims.tenantId}`,
    );
  }
  return { ...actor, name: entry.name };
}
