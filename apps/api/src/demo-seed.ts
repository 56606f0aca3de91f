import {
  type AccessPolicy,
  type DemoPerson,
  type DemoTenant,
  type Directory,
  type MarketplaceDirectory,
  type MarketplaceParticipantType,
  type MessagingCore,
  MessagingError,
  marketplacePolicy,
  marketplacePreset,
  type ParticipantRef,
  type PeopleDirectory,
  type Preset,
  participantKey,
  type StoreTier,
} from '@parley/messaging-core';
import { issueToken, type TenantClaim } from './plugins/authentication.js';

/**
 * The marketplace preset's demo data by name, for tests and examples (it is what
 * `marketplacePreset.demo` seeds: one store, one store user, one admin, two customers).
 */
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
 * A preset's directory as the demo seed writes it: tenants and people of the preset's
 * participant types. Each directory gets one (`marketplaceDemoDirectory`,
 * `peopleDemoDirectory`), so the seed never asks which preset runs.
 */
export interface DemoDirectory extends Directory {
  /** True when nothing was written yet: the seed runs only then. */
  isEmpty(): Promise<boolean>;
  addTenant(tenant: DemoTenant, at: Date): Promise<void>;
  addPerson(person: DemoPerson, at: Date): Promise<void>;
  /** The token claim naming the tenant: `store_id` for the marketplace's clients, else `tenant_id`. */
  readonly tenantClaim: TenantClaim;
}

/**
 * The marketplace directory as a demo target: tenants are stores (on the `professional` tier),
 * `admin` and `store` people are platform users of that role, `customer` people are customers.
 *
 * @example
 * ```ts
 * await seedDemo({ preset: marketplacePreset, directory: marketplaceDemoDirectory(directory), at: new Date() });
 * ```
 */
export function marketplaceDemoDirectory(directory: MarketplaceDirectory): DemoDirectory {
  const emailOf = (person: DemoPerson): string => {
    if (person.email === null) throw MessagingError.validation('email', `${person.id} needs an email`);
    return person.email;
  };
  return {
    tenantClaim: 'store_id',
    isEmpty: () => directory.isEmpty(),
    resolve: (ref) => directory.resolve(ref),
    resolveMany: (refs) => directory.resolveMany(refs),
    searchRecipients: (query) => directory.searchRecipients(query),
    addTenant: async (tenant, at) => {
      await directory.upsertStore({ ...tenant, tier: DEMO.store.tier }, at);
    },
    addPerson: async (person, at) => {
      if (person.type === 'admin' || person.type === 'store') {
        await directory.upsertPlatformUser(
          {
            id: person.id,
            name: person.name,
            email: emailOf(person),
            role: person.type,
            storeId: person.tenantId,
            locale: person.locale,
          },
          at,
        );
      } else if (person.type === 'customer' && person.tenantId !== null) {
        await directory.upsertCustomer(
          {
            id: person.id,
            storeId: person.tenantId,
            name: person.name,
            email: emailOf(person),
            locale: person.locale,
          },
          at,
        );
      } else {
        throw MessagingError.validation(
          'type',
          `the marketplace directory cannot hold ${person.type} ${person.id}`,
        );
      }
    },
  };
}

/**
 * The people directory (care-team, community) as a demo target: tenants and people as they are.
 *
 * @example
 * ```ts
 * await seedDemo({ preset: careTeamPreset, directory: peopleDemoDirectory(people), core, at: new Date() });
 * ```
 */
export function peopleDemoDirectory(directory: PeopleDirectory): DemoDirectory {
  return {
    tenantClaim: 'tenant_id',
    isEmpty: () => directory.isEmpty(),
    resolve: (ref) => directory.resolve(ref),
    resolveMany: (refs) => directory.resolveMany(refs),
    searchRecipients: (query) => directory.searchRecipients(query),
    addTenant: async (tenant, at) => {
      await directory.upsertTenant(tenant, at);
    },
    addPerson: async (person, at) => {
      await directory.upsertPerson(person, at);
    },
  };
}

/** `type:id` (the demo data's way of naming a person) as a ref. */
export function parseDemoRef(key: string): ParticipantRef {
  const at = key.indexOf(':');
  if (at <= 0 || at === key.length - 1) throw new Error(`demo participant "${key}" is not type:id`);
  return { type: key.slice(0, at), id: key.slice(at + 1) };
}

export interface SeedDemoOptions {
  readonly preset: Preset;
  readonly directory: DemoDirectory;
  /** Writes the demo conversations through its use cases; required when the preset has any. */
  readonly core?: Pick<MessagingCore, 'resolveActor' | 'createConversation' | 'sendMessage' | 'blockPerson'>;
  readonly at: Date;
}

/**
 * Seeds `preset.demo` when the directory is empty: its tenants and people, then its
 * conversations through the core's use cases (the first participant starts it, then each
 * message is sent by its author) and its blocks (`blockPerson`), so the demo obeys the preset's rules like any other data.
 * Returns whether it wrote anything (false for a preset without demo data). Side effects:
 * directory upserts; each conversation and message commits with its events in the event log, as
 * any use case does.
 *
 * @example
 * ```ts
 * if (await seedDemo({ preset, directory: peopleDemoDirectory(people), core, at: clock.now() })) console.log('seeded');
 * ```
 */
export async function seedDemo(options: SeedDemoOptions): Promise<boolean> {
  const { preset, directory, core, at } = options;
  if (!(await directory.isEmpty())) return false;
  if (preset.demo.tenants.length === 0 && preset.demo.people.length === 0) return false;
  for (const tenant of preset.demo.tenants) await directory.addTenant(tenant, at);
  for (const person of preset.demo.people) await directory.addPerson(person, at);
  const blocks = preset.demo.blocks ?? [];
  if (preset.demo.conversations.length === 0 && blocks.length === 0) return true;
  if (!core) throw new Error(`the ${preset.name} demo has conversations: seedDemo needs the core`);
  const tenantOf = new Map(preset.demo.people.map((p) => [participantKey(p), p.tenantId]));
  const actorOf = (key: string) => {
    const ref = parseDemoRef(key);
    return core.resolveActor({ ...ref, tenantId: tenantOf.get(participantKey(ref)) ?? null });
  };
  for (const conversation of preset.demo.conversations) {
    const [starter, ...others] = conversation.participants;
    if (starter === undefined) throw new Error(`a ${preset.name} demo conversation has no participants`);
    const created = await core.createConversation(await actorOf(starter), {
      conversationType: conversation.conversationType,
      subject: conversation.subject,
      participants: others.map(parseDemoRef),
    });
    for (const message of conversation.messages) {
      await core.sendMessage(await actorOf(message.from), {
        conversationId: created.conversation.id,
        content: message.body,
      });
    }
  }
  // Blocks last, through the use case (the rules hold: nobody blocks an admin or themselves).
  for (const block of blocks) {
    await core.blockPerson(await actorOf(block.by), parseDemoRef(block.blocked).id);
  }
  return true;
}

/**
 * Writes the marketplace demo directory when the directory is empty. Returns whether it did.
 *
 * @example
 * ```ts
 * if (await seedDemoDirectory(directory, new Date())) console.log('seeded');
 * ```
 */
export function seedDemoDirectory(directory: MarketplaceDirectory, at: Date): Promise<boolean> {
  return seedDemo({ preset: marketplacePreset, directory: marketplaceDemoDirectory(directory), at });
}

/** A printed demo token; `Role` narrows the role for the default preset, the marketplace. */
export interface DemoToken<Role extends string = MarketplaceParticipantType | 'service'> {
  /** A participant type of the preset's policy, or the host's `service`. */
  readonly role: Role;
  /** False for the `service` token, which speaks for the host platform, not a participant. */
  readonly participant: boolean;
  readonly subject: string;
  readonly name: string;
  readonly token: string;
}

/**
 * The demo's participants: the first demo person of each participant type of the preset, in
 * the policy's order of types.
 *
 * @example
 * ```ts
 * demoParticipants(marketplacePreset); // [{ type: 'admin', id: 'demo-admin' }, { type: 'store', … }, { type: 'customer', … }]
 * ```
 */
export function demoParticipants(preset: Preset): ParticipantRef[] {
  return preset.policy.participantTypes.flatMap((type) => {
    const first = preset.demo.people.find((person) => person.type === type);
    return first ? [{ type, id: first.id }] : [];
  });
}

/** The marketplace demo's participants (admin, store, customer). */
export const DEMO_PARTICIPANTS: readonly ParticipantRef[] = demoParticipants(marketplacePreset);

/**
 * A bearer token for each demo participant the directory still knows under that type (and one
 * for `service`), signed with the API's secret. Which tokens carry a tenant claim is the
 * policy's answer (`isTenantBound`), from the participant's directory entry; the claim is
 * `tenantClaim` (default `store_id`, what marketplace clients read).
 *
 * @example
 * ```ts
 * for (const { role, token } of await demoTokens(key, directory, { preset })) console.log(role, token);
 * ```
 */
export async function demoTokens(
  key: Uint8Array,
  directory: Directory,
  options: {
    readonly now?: Date;
    readonly expiresInSeconds?: number;
    /** Whose demo people get tokens (default: the marketplace); its policy unless `policy` says otherwise. */
    readonly preset?: Preset;
    readonly policy?: Pick<AccessPolicy, 'isTenantBound'>;
    readonly tenantClaim?: TenantClaim;
  } = {},
): Promise<DemoToken<string>[]> {
  const preset = options.preset ?? marketplacePreset;
  const policy = options.policy ?? (options.preset ? preset.policy : marketplacePolicy);
  const timing = {
    expiresInSeconds: options.expiresInSeconds ?? 12 * 3600,
    ...(options.now ? { issuedAt: options.now } : {}),
  };
  const participants = demoParticipants(preset);
  const entries = await directory.resolveMany(participants);
  const tokens: DemoToken<string>[] = [];
  for (const ref of participants) {
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
        ...(tenantBound && entry.storeId !== null
          ? (options.tenantClaim ?? 'store_id') === 'store_id'
            ? { storeId: entry.storeId }
            : { tenantId: entry.storeId }
          : {}),
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
