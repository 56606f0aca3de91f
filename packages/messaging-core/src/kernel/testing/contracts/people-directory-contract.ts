import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../errors.js';
import type { RecipientQuery } from '../../ports/directory.js';
import type { PeopleDirectory, UpsertPerson } from '../../ports/people-directory.js';

export interface PeopleDirectoryContractTarget {
  readonly directory: PeopleDirectory;
  readonly teardown?: () => Promise<void>;
}

export interface PeopleDirectoryContractOptions {
  readonly name: string;
  /** A fresh, empty directory for each test. */
  readonly setup: () => Promise<PeopleDirectoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

const person = (
  fields: Partial<UpsertPerson> & Pick<UpsertPerson, 'type' | 'id' | 'name'>,
): UpsertPerson => ({
  email: null,
  locale: 'en',
  tenantId: null,
  ...fields,
});

/**
 * The behaviour every `PeopleDirectory` adapter must show: idempotent upserts keeping
 * `createdAt`, tenants enforced, `findById` across types, removal, resolution, recipient search
 * and `isEmpty`.
 *
 * @example
 * ```ts
 * peopleDirectoryContract({ name: 'in-memory', setup: async () => ({ directory: new InMemoryPeopleDirectory() }) });
 * ```
 */
export function peopleDirectoryContract(options: PeopleDirectoryContractOptions): void {
  describe(`PeopleDirectory contract: ${options.name}`, () => {
    let target: PeopleDirectoryContractTarget;
    let directory: PeopleDirectory;

    beforeEach(async () => {
      target = await options.setup();
      directory = target.directory;
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    async function seed() {
      await directory.upsertTenant({ id: 'north', name: 'North School' }, at(0));
      await directory.upsertTenant({ id: 'south', name: 'South School' }, at(0));
      for (const entry of [
        person({ type: 'mentor', id: 'kim', name: 'Kim Mentor', email: 'kim@north.test', tenantId: 'north' }),
        person({
          type: 'student',
          id: 'ana',
          name: 'Ana',
          email: 'ana@north.test',
          tenantId: 'north',
          locale: 'fr',
        }),
        person({ type: 'student', id: 'ben', name: 'Ben', email: 'ben@mail.test', tenantId: 'north' }),
        person({ type: 'student', id: 'cleo', name: 'Cleo', email: 'cleo@south.test', tenantId: 'south' }),
        person({ type: 'student', id: 'abe', name: 'Ana', email: null, tenantId: 'south' }),
        // The same id under another type: a different person.
        person({ type: 'admin', id: 'kim', name: 'Kim Admin', email: 'kim@platform.test' }),
      ]) {
        await directory.upsertPerson(entry, at(0));
      }
    }

    it('starts empty; a tenant or a person makes it non-empty, and removing the last person does not empty a tenant', async () => {
      expect(await directory.isEmpty()).toBe(true);
      await directory.upsertPerson(person({ type: 'admin', id: 'root', name: 'Root' }), at(0));
      expect(await directory.isEmpty()).toBe(false);
      expect(await directory.removePerson({ type: 'admin', id: 'root' })).toBe(true);
      expect(await directory.isEmpty()).toBe(true);
      await directory.upsertTenant({ id: 't1', name: 'T1' }, at(0));
      expect(await directory.isEmpty()).toBe(false);
    });

    it('upserts tenants idempotently, keeping createdAt', async () => {
      const first = await directory.upsertTenant({ id: 't1', name: 'Clinic' }, at(0));
      expect(first).toEqual({ id: 't1', name: 'Clinic', createdAt: at(0), updatedAt: at(0) });
      const second = await directory.upsertTenant({ id: 't1', name: 'Clinic Ltd' }, at(5));
      expect(second).toEqual({ id: 't1', name: 'Clinic Ltd', createdAt: at(0), updatedAt: at(5) });
      expect(await directory.getTenant('t1')).toEqual(second);
      expect(await directory.getTenant('nope')).toBeNull();
    });

    it('upserts people idempotently, keeping createdAt, and keeps people of other types apart', async () => {
      await seed();
      const updated = await directory.upsertPerson(
        person({
          type: 'student',
          id: 'ana',
          name: 'Ana B.',
          email: 'ana@new.test',
          tenantId: 'north',
          locale: 'de',
        }),
        at(9),
      );
      expect(updated).toEqual({
        type: 'student',
        id: 'ana',
        name: 'Ana B.',
        email: 'ana@new.test',
        locale: 'de',
        tenantId: 'north',
        createdAt: at(0),
        updatedAt: at(9),
      });
      expect(await directory.getPerson({ type: 'student', id: 'ana' })).toEqual(updated);
      expect(await directory.getPerson({ type: 'mentor', id: 'ana' })).toBeNull();
      expect(await directory.getPerson({ type: 'admin', id: 'kim' })).toMatchObject({
        name: 'Kim Admin',
        tenantId: null,
        email: 'kim@platform.test',
      });
      expect(await directory.getPerson({ type: 'mentor', id: 'kim' })).toMatchObject({
        name: 'Kim Mentor',
        tenantId: 'north',
      });
      // Moving a person to another tenant is an update like any other.
      const moved = await directory.upsertPerson(
        person({ type: 'student', id: 'ben', name: 'Ben', tenantId: 'south' }),
        at(10),
      );
      expect(moved).toMatchObject({ tenantId: 'south', email: null, createdAt: at(0), updatedAt: at(10) });
    });

    it('refuses a person naming an unknown tenant with NOT_FOUND, writing nothing', async () => {
      await seed();
      const error = await directory
        .upsertPerson(person({ type: 'student', id: 'zed', name: 'Zed', tenantId: 'ghost' }), at(1))
        .catch((e: unknown) => e);
      expect(isMessagingError(error) && error.code).toBe('NOT_FOUND');
      expect(isMessagingError(error) && error.message).toBe('tenant ghost not found');
      expect(await directory.getPerson({ type: 'student', id: 'zed' })).toBeNull();
      const existing = await directory
        .upsertPerson(person({ type: 'student', id: 'ana', name: 'Changed', tenantId: 'ghost' }), at(1))
        .catch((e: unknown) => e);
      expect(isMessagingError(existing) && existing.code).toBe('NOT_FOUND');
      expect(await directory.getPerson({ type: 'student', id: 'ana' })).toMatchObject({
        name: 'Ana',
        tenantId: 'north',
      });
    });

    it('finds every person with an id, whatever the type, ordered by type', async () => {
      await seed();
      expect(await directory.findById('kim')).toEqual([
        {
          ref: { type: 'admin', id: 'kim' },
          name: 'Kim Admin',
          email: 'kim@platform.test',
          locale: 'en',
          storeId: null,
        },
        {
          ref: { type: 'mentor', id: 'kim' },
          name: 'Kim Mentor',
          email: 'kim@north.test',
          locale: 'en',
          storeId: 'north',
        },
      ]);
      expect((await directory.findById('ana')).map((e) => e.ref)).toEqual([{ type: 'student', id: 'ana' }]);
      expect(await directory.findById('nobody')).toEqual([]);
      expect(await directory.findById('KIM')).toEqual([]);
    });

    it('removes a person (only that type), answering whether it existed', async () => {
      await seed();
      expect(await directory.removePerson({ type: 'mentor', id: 'kim' })).toBe(true);
      expect(await directory.removePerson({ type: 'mentor', id: 'kim' })).toBe(false);
      expect(await directory.removePerson({ type: 'student', id: 'ghost' })).toBe(false);
      expect(await directory.getPerson({ type: 'mentor', id: 'kim' })).toBeNull();
      expect(await directory.resolve({ type: 'mentor', id: 'kim' })).toBeNull();
      expect((await directory.findById('kim')).map((e) => e.ref.type)).toEqual(['admin']);
      // Re-adding starts a new record.
      const back = await directory.upsertPerson(
        person({ type: 'mentor', id: 'kim', name: 'Kim', tenantId: 'north' }),
        at(20),
      );
      expect(back.createdAt).toEqual(at(20));
    });

    it('resolves participants by type and id', async () => {
      await seed();
      expect(await directory.resolve({ type: 'student', id: 'ana' })).toEqual({
        ref: { type: 'student', id: 'ana' },
        name: 'Ana',
        email: 'ana@north.test',
        locale: 'fr',
        storeId: 'north',
      });
      expect(await directory.resolve({ type: 'student', id: 'abe' })).toMatchObject({ email: null });
      expect(await directory.resolve({ type: 'mentor', id: 'ana' })).toBeNull();
      expect(await directory.resolve({ type: 'robot', id: 'ana' })).toBeNull();
      const many = await directory.resolveMany([
        { type: 'student', id: 'ana' },
        { type: 'admin', id: 'kim' },
        { type: 'mentor', id: 'kim' },
        { type: 'student', id: 'missing' },
        { type: 'student', id: 'ana' },
      ]);
      expect([...many.keys()].sort()).toEqual(['admin:kim', 'mentor:kim', 'student:ana']);
      expect(many.get('admin:kim')?.name).toBe('Kim Admin');
      expect(many.get('mentor:kim')?.storeId).toBe('north');
      expect((await directory.resolveMany([])).size).toBe(0);
    });

    it('searches recipients by type, tenant and text, ordered by name then id, limited', async () => {
      await seed();
      const ids = async (query: RecipientQuery) =>
        (await directory.searchRecipients(query)).map((e) => e.ref.id);
      // Two students named Ana: ordered by id.
      expect(await ids({ type: 'student', limit: 10 })).toEqual(['abe', 'ana', 'ben', 'cleo']);
      expect(await ids({ type: 'student', storeId: 'north', limit: 10 })).toEqual(['ana', 'ben']);
      expect(await ids({ type: 'student', query: 'ANA', limit: 10 })).toEqual(['abe', 'ana']);
      expect(await ids({ type: 'student', query: 'mail.test', limit: 10 })).toEqual(['ben']);
      expect(await ids({ type: 'student', query: 'test', storeId: 'south', limit: 10 })).toEqual(['cleo']);
      expect(await ids({ type: 'student', query: '  cleo  ', limit: 10 })).toEqual(['cleo']);
      expect(await ids({ type: 'student', limit: 2 })).toEqual(['abe', 'ana']);
      expect(await ids({ type: 'student', limit: 0 })).toEqual([]);
      expect(await ids({ type: 'mentor', limit: 10 })).toEqual(['kim']);
      expect(await ids({ type: 'admin', limit: 10 })).toEqual(['kim']);
      expect(await ids({ type: 'robot', limit: 10 })).toEqual([]);
      expect(await ids({ type: 'student', query: '%', limit: 10 })).toEqual([]);
      expect(await ids({ type: 'student', query: '_', limit: 10 })).toEqual([]);
      const [first] = await directory.searchRecipients({ type: 'student', storeId: 'north', limit: 1 });
      expect(first).toEqual({
        ref: { type: 'student', id: 'ana' },
        name: 'Ana',
        email: 'ana@north.test',
        locale: 'fr',
        storeId: 'north',
      });
    });
  });
}
