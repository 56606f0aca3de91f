import type { MarketplaceDirectory, MarketplaceParticipantType, StoreTier } from '@parley/messaging-core';
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
  /** The marketplace demo's roles (its participant types, and the host's `service`). */
  readonly role: MarketplaceParticipantType | 'service';
  readonly subject: string;
  readonly name: string;
  readonly token: string;
}

/**
 * A bearer token for each demo role whose demo participant is in the directory (and one for
 * `service`), signed with the API's secret.
 *
 * @example
 * ```ts
 * for (const { role, token } of await demoTokens(key, directory)) console.log(role, token);
 * ```
 */
export async function demoTokens(
  key: Uint8Array,
  directory: MarketplaceDirectory,
  options: { readonly now?: Date; readonly expiresInSeconds?: number } = {},
): Promise<DemoToken[]> {
  const timing = {
    expiresInSeconds: options.expiresInSeconds ?? 12 * 3600,
    ...(options.now ? { issuedAt: options.now } : {}),
  };
  const tokens: DemoToken[] = [];
  const admin = await directory.getPlatformUser(DEMO.admin.id);
  if (admin?.role === 'admin') {
    tokens.push({
      role: 'admin',
      subject: admin.id,
      name: admin.name,
      token: await issueToken(key, { sub: admin.id, role: 'admin', ...timing }),
    });
  }
  const storeUser = await directory.getPlatformUser(DEMO.storeUser.id);
  if (storeUser?.role === 'store' && storeUser.storeId !== null) {
    tokens.push({
      role: 'store',
      subject: storeUser.id,
      name: storeUser.name,
      token: await issueToken(key, {
        sub: storeUser.id,
        role: 'store',
        storeId: storeUser.storeId,
        ...timing,
      }),
    });
  }
  const [first] = DEMO.customers;
  const customer = await directory.getCustomer(first.id);
  if (customer) {
    tokens.push({
      role: 'customer',
      subject: customer.id,
      name: customer.name,
      token: await issueToken(key, {
        sub: customer.id,
        role: 'customer',
        storeId: customer.storeId,
        ...timing,
      }),
    });
  }
  tokens.push({
    role: 'service',
    subject: DEMO.service.id,
    name: 'host platform',
    token: await issueToken(key, { sub: DEMO.service.id, role: 'service', ...timing }),
  });
  return tokens;
}
