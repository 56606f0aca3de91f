import {
  type AccessPolicy,
  type Directory,
  type MarketplaceDirectory,
  type MarketplaceParticipantType,
  marketplacePolicy,
  participantKey,
  type StoreTier,
} from '@parley/messaging-core';
import { issueToken } from './plugins/authentication.js';

/** The demo directory: one store, one store user, one admin, two customers. */
export const DEMO = {
  store: { id: 'demo-store', name: 'Demo Store', tier: 'professional' as StoreTier },
  admin: { id: 'demo-admin', name: 'Ada Admin', email: 'ada.admin@parley.test' },
  storeUser: { id: 'demo-store-user', name: 'Sam Store', email: 'sam@demo-store.test' },
  customers: [
    { id: 'demo-customer-1', name: 'Carla Customer', email: 'carla@example.test', locale: 'en' },
    { id: 'demo-customer-2', name: 'Chris Customer', email: 'chris@example.test', locale: 'fr' },
  ],
  /** The host platform's back end (service tokens are not in the directory). */
  service: { id: 'demo-platform' },
} as const;

/**
 * Writes the demo directory when the directory is empty. Returns whether it did.
 *
 * @example
 * ```ts
 * if (await seedDemoDirectory(directory, new Date())) console.log('seeded');
 * ```
 */
export async function seedDemoDirectory(directory: MarketplaceDirectory, at: Date): Promise<boolean> {
  if (!(await directory.isEmpty())) return false;
  await directory.upsertStore(DEMO.store, at);
  await directory.upsertPlatformUser({ ...DEMO.admin, role: 'admin', storeId: null, locale: 'en' }, at);
  await directory.upsertPlatformUser(
    { ...DEMO.storeUser, role: 'store', storeId: DEMO.store.id, locale: 'en' },
    at,
  );
  for (const customer of DEMO.customers) {
    await directory.upsertCustomer({ ...customer, storeId: DEMO.store.id }, at);
  }
  return true;
}

export interface DemoToken {
  /** A participant type of the policy, or the host's `service`. */
  readonly role: MarketplaceParticipantType | 'service';
  /** False for the `service` token, which speaks for the host platform, not a participant. */
  readonly participant: boolean;
  readonly subject: string;
  readonly name: string;
  readonly token: string;
}

/** The demo's participants, one per participant type of the marketplace preset (demo data). */
export const DEMO_PARTICIPANTS: readonly {
  readonly type: MarketplaceParticipantType;
  readonly id: string;
}[] = [
  { type: 'admin', id: DEMO.admin.id },
  { type: 'store', id: DEMO.storeUser.id },
  { type: 'customer', id: DEMO.customers[0].id },
];

/**
 * A bearer token for each demo participant the directory still knows under that type (and one
 * for `service`), signed with the API's secret. Which tokens carry a `store_id` claim is the
 * policy's answer (`isTenantBound`), from the participant's directory entry.
 *
 * @example
 * ```ts
 * for (const { role, token } of await demoTokens(key, directory, { policy: core.policy })) console.log(role, token);
 * ```
 */
export async function demoTokens(
  key: Uint8Array,
  directory: Directory,
  options: {
    readonly now?: Date;
    readonly expiresInSeconds?: number;
    readonly policy?: Pick<AccessPolicy, 'isTenantBound'>;
  } = {},
): Promise<DemoToken[]> {
  const policy = options.policy ?? marketplacePolicy;
  const timing = {
    expiresInSeconds: options.expiresInSeconds ?? 12 * 3600,
    ...(options.now ? { issuedAt: options.now } : {}),
  };
  const entries = await directory.resolveMany(DEMO_PARTICIPANTS);
  const tokens: DemoToken[] = [];
  for (const ref of DEMO_PARTICIPANTS) {
    const entry = entries.get(participantKey(ref));
    if (!entry) continue;
    const tenantBound = policy.isTenantBound(ref.type);
    // A tenant-bound participant without a tenant could not sign in: no token for it.
    if (tenantBound && entry.storeId === null) continue;
    tokens.push({
      role: ref.type,
      participant: true,
      subject: ref.id,
      name: entry.name,
      token: await issueToken(key, {
        sub: ref.id,
        role: ref.type,
        ...(tenantBound && entry.storeId !== null ? { storeId: entry.storeId } : {}),
        ...timing,
      }),
    });
  }
  tokens.push({
    role: 'service',
    participant: false,
    subject: DEMO.service.id,
    name: 'host platform',
    token: await issueToken(key, { sub: DEMO.service.id, role: 'service', ...timing }),
  });
  return tokens;
}
