import { KyselyMessagingStore, KyselyPeopleDirectory, KyselySettingsStore } from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  type AccessPolicy,
  careTeamPolicy,
  careTeamPreset,
  createMessagingCore,
  type MessagingStore,
  type PeopleDirectory,
  type SettingsStore,
} from '@parley/messaging-core';
import { communityPolicy } from '@parley/messaging-core/conversations';
import {
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { expectProblem } from './support/api-scenarios.js';
import { buildHarness } from './support/build-harness.js';
import { type Call, client } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// The generic recipient search (`GET /api/v1/conversations/recipients`, the inbox's compose
// dialog) for the care-team and community presets: who each role may start a conversation with,
// the tenant wall, search, limits, and the refusals, in memory and on the Kysely store (PostgreSQL
// with DATABASE_URL, and PGlite).

const RECIPIENTS = '/api/v1/conversations/recipients';

interface Person {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly tenantId: string | null;
}

const COMMUNITY: readonly Person[] = [
  { type: 'student', id: 'ana', name: 'Ana Student', email: 'ana@north.test', tenantId: 'north' },
  { type: 'student', id: 'ben', name: 'Ben Student', email: 'ben@north.test', tenantId: 'north' },
  { type: 'mentor', id: 'mia', name: 'Mia Mentor', email: 'mia@north.test', tenantId: 'north' },
  { type: 'admin', id: 'ada', name: 'Ada Admin', email: null, tenantId: 'north' },
  { type: 'student', id: 'sol', name: 'Sol Student', email: 'sol@south.test', tenantId: 'south' },
];

type Storage = () => Promise<{
  store: MessagingStore;
  people: PeopleDirectory;
  settings: SettingsStore;
  kind: string;
}>;

const selected = await resolveTestDatabaseTarget();
const databases: Partial<Record<'pglite' | 'auto', TestDatabase>> = {};
beforeAll(async () => {
  databases.pglite = await openTestDatabase({ target: 'pglite' });
  if (selected.kind === 'postgres') databases.auto = await openTestDatabase({ target: 'auto' });
});
afterAll(async () => {
  await databases.pglite?.destroy();
  await databases.auto?.destroy();
});

const kysely =
  (target: 'pglite' | 'auto'): Storage =>
  async () => {
    const database = databases[target];
    if (!database) throw new Error(`no ${target} database`);
    await database.truncate();
    return {
      store: new KyselyMessagingStore({ db: database.db }),
      people: new KyselyPeopleDirectory({ db: database.db }),
      settings: new KyselySettingsStore({ db: database.db }),
      kind: database.kind,
    };
  };
const STORAGES: readonly (readonly [string, Storage])[] = [
  [
    'in memory',
    async () => ({
      store: new InMemoryMessagingStore(),
      people: new InMemoryPeopleDirectory(),
      settings: new InMemorySettingsStore(),
      kind: 'memory',
    }),
  ],
  ['Kysely on PGlite', kysely('pglite')],
  ...(selected.kind === 'postgres' ? [['Kysely on PostgreSQL', kysely('auto')] as const] : []),
];

describe.each(STORAGES)('GET /api/v1/conversations/recipients (%s)', (_name, storage) => {
  let harness: ApiHarness | undefined;
  let call: Call;
  const tokens = new Map<string, string>();

  /** An API of `policy` over fresh storage holding `people`, with a token for each of them. */
  async function serve(policy: AccessPolicy, people: readonly Person[]): Promise<void> {
    const { store, people: directory, settings, kind } = await storage();
    const now = new Date('2026-03-01T08:00:00.000Z');
    for (const tenant of new Set(people.map((p) => p.tenantId)))
      if (tenant !== null) await directory.upsertTenant({ id: tenant, name: tenant }, now);
    const key = secretKey(TEST_SECRET);
    tokens.clear();
    for (const p of people) {
      await directory.upsertPerson({ ...p, locale: 'en' }, now);
      tokens.set(
        p.id,
        await issueToken(key, { sub: p.id, role: p.type, ...(p.tenantId ? { storeId: p.tenantId } : {}) }),
      );
    }
    tokens.set('service', await issueToken(key, { sub: 'platform', role: 'service' }));
    const core = createMessagingCore({ store, directory, settings, policy });
    harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), { kind, check: async () => {} });
    call = client(harness);
  }
  const as = (who: string) => ({ token: tokens.get(who) ?? '' });
  const ids = async (who: string, query: string) => {
    const answer = await call('GET', `${RECIPIENTS}?${query}`, as(who));
    expect(answer.status, answer.text).toBe(200);
    return answer.body.recipients.map((r: { id: string }) => r.id);
  };

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  describe('care-team', () => {
    it('therapists, clinicians and admins list anyone; users everyone but clinicians (403)', async () => {
      const people = careTeamPreset.demo.people.map((p) => ({ ...p }));
      await serve(careTeamPolicy, people);
      const users = await call('GET', `${RECIPIENTS}?type=user`, as('dr.kim'));
      expect(users.status).toBe(200);
      expect(users.body).toEqual({
        recipients: [
          { type: 'user', id: 'ulysses', name: 'Ulysses User', email: 'ulysses@care.test', store_id: null },
          { type: 'user', id: 'uma', name: 'Uma User', email: 'uma@care.test', store_id: null },
        ],
      });
      expect(await ids('theo', 'type=clinician')).toEqual(['dr.kim']);
      expect(await ids('ada', 'type=therapist')).toEqual(['theo']);
      // The caller is never listed among their own type.
      expect(await ids('uma', 'type=user')).toEqual(['ulysses']);
      expect(await ids('uma', 'type=therapist')).toEqual(['theo']);
      expect(await ids('uma', 'type=admin')).toEqual(['ada']);
      const clinicians = await call('GET', `${RECIPIENTS}?type=clinician`, as('uma'));
      expectProblem(clinicians, 403, 'FORBIDDEN');
      expect(clinicians.body.detail).toBe('a user may not list clinicians');
    });

    it('searches name and email case-insensitively and honours the limit', async () => {
      await serve(careTeamPolicy, careTeamPreset.demo.people);
      expect(await ids('theo', 'type=user&q=ULY')).toEqual(['ulysses']);
      expect(await ids('theo', 'type=user&q=uma%40care')).toEqual(['uma']);
      expect(await ids('theo', 'type=user&q=nobody')).toEqual([]);
      expect(await ids('theo', 'type=user&limit=1')).toEqual(['ulysses']);
    });
  });

  describe('community', () => {
    it('everyone lists people of their own community only; students and mentors alike', async () => {
      await serve(communityPolicy, COMMUNITY);
      const students = await call('GET', `${RECIPIENTS}?type=student`, as('mia'));
      expect(students.body).toEqual({
        recipients: [
          { type: 'student', id: 'ana', name: 'Ana Student', email: 'ana@north.test', store_id: 'north' },
          { type: 'student', id: 'ben', name: 'Ben Student', email: 'ben@north.test', store_id: 'north' },
        ],
      });
      // Sol (South) is never listed in North, nor North's people in South.
      expect(await ids('ana', 'type=student')).toEqual(['ben']);
      expect(await ids('ana', 'type=mentor')).toEqual(['mia']);
      expect(await ids('ana', 'type=admin')).toEqual(['ada']);
      expect(await ids('ada', 'type=student&q=s')).toEqual(['ana', 'ben']);
      expect(await ids('sol', 'type=student')).toEqual([]);
      expect(await ids('sol', 'type=mentor')).toEqual([]);
    });

    it('refuses: unknown type (400 naming type), missing type, bad limit, a service token, no token', async () => {
      await serve(communityPolicy, COMMUNITY);
      expectProblem(await call('GET', `${RECIPIENTS}?type=store`, as('ana')), 400, 'VALIDATION', 'type');
      expectProblem(await call('GET', RECIPIENTS, as('ana')), 400, 'VALIDATION', 'type');
      expectProblem(
        await call('GET', `${RECIPIENTS}?type=student&limit=0`, as('ana')),
        400,
        'VALIDATION',
        'limit',
      );
      expectProblem(
        await call('GET', `${RECIPIENTS}?type=student&q=${'x'.repeat(201)}`, as('ana')),
        400,
        'VALIDATION',
        'q',
      );
      expectProblem(await call('GET', `${RECIPIENTS}?type=student`, as('service')), 403, 'FORBIDDEN');
      expectProblem(await call('GET', `${RECIPIENTS}?type=student`), 401, 'UNAUTHENTICATED');
    });
  });
});
