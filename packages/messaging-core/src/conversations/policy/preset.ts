import type { AccessPolicy } from './access-policy.js';
import type { PolicyDefinition } from './policy-definition.js';

/** A tenant of the demo data (a store, a school, a clinic). */
export interface DemoTenant {
  readonly id: string;
  readonly name: string;
}

/** A person of the demo data: a participant type of the preset, an id (the token's `sub`), a tenant when the type is tenant-bound. */
export interface DemoPerson {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly locale: string;
  /** Required for the preset's tenant-bound types, null otherwise. */
  readonly tenantId: string | null;
}

/**
 * A conversation of the demo data, written through the use cases (so the rules hold for it too):
 * `from` starts it with `participants` and sends `messages` in order.
 */
export interface DemoConversation {
  readonly conversationType: string;
  readonly subject: string;
  /** Refs as `type:id`; the first is the starter. */
  readonly participants: readonly string[];
  readonly messages: readonly { readonly from: string; readonly body: string }[];
}

/**
 * A deployment's kind of platform, chosen with `PARLEY_PRESET`: the access policy (as data) and
 * the demo data `pnpm start` seeds. The engine is the same for every preset; only this changes.
 */
export interface Preset {
  /** `marketplace`, `care-team` or `community`. */
  readonly name: string;
  /** One sentence: what kind of platform it serves. */
  readonly description: string;
  readonly definition: PolicyDefinition;
  readonly policy: AccessPolicy;
  readonly demo: {
    readonly tenants: readonly DemoTenant[];
    /** Enough people to show every rule of the preset, at least one per participant type. */
    readonly people: readonly DemoPerson[];
    readonly conversations: readonly DemoConversation[];
    /** Blocks to record after the conversations (refs as `type:id`), for presets that have blocking. */
    readonly blocks?: readonly { readonly by: string; readonly blocked: string }[];
  };
}
