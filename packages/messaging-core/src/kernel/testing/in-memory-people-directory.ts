import { MessagingError } from '../errors.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import { type ParticipantRef, participantKey } from '../model/participant-ref.js';
import type { RecipientQuery } from '../ports/directory.js';
import type {
  PeopleDirectory,
  PersonRecord,
  TenantRecord,
  UpsertPerson,
  UpsertTenant,
} from '../ports/people-directory.js';

function entry(person: PersonRecord): DirectoryEntry {
  return {
    ref: { type: person.type, id: person.id },
    name: person.name,
    email: person.email,
    locale: person.locale,
    storeId: person.tenantId,
  };
}

/**
 * The people directory in memory.
 *
 * @example
 * ```ts
 * const people = new InMemoryPeopleDirectory();
 * await people.upsertTenant({ id: 'school-1', name: 'North School' }, new Date());
 * ```
 */
export class InMemoryPeopleDirectory implements PeopleDirectory {
  readonly #tenants = new Map<string, TenantRecord>();
  readonly #people = new Map<string, PersonRecord>();

  async upsertTenant(tenant: UpsertTenant, at: Date): Promise<TenantRecord> {
    const existing = this.#tenants.get(tenant.id);
    const record: TenantRecord = { ...tenant, createdAt: existing?.createdAt ?? at, updatedAt: at };
    this.#tenants.set(tenant.id, record);
    return record;
  }

  async getTenant(id: string): Promise<TenantRecord | null> {
    return this.#tenants.get(id) ?? null;
  }

  async upsertPerson(person: UpsertPerson, at: Date): Promise<PersonRecord> {
    if (person.tenantId !== null && !this.#tenants.has(person.tenantId))
      throw MessagingError.notFound('tenant', person.tenantId);
    const key = participantKey(person);
    const existing = this.#people.get(key);
    const record: PersonRecord = { ...person, createdAt: existing?.createdAt ?? at, updatedAt: at };
    this.#people.set(key, record);
    return record;
  }

  async getPerson(ref: ParticipantRef): Promise<PersonRecord | null> {
    return this.#people.get(participantKey(ref)) ?? null;
  }

  async removePerson(ref: ParticipantRef): Promise<boolean> {
    return this.#people.delete(participantKey(ref));
  }

  async findById(id: string): Promise<DirectoryEntry[]> {
    return [...this.#people.values()]
      .filter((p) => p.id === id)
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      .map(entry);
  }

  async isEmpty(): Promise<boolean> {
    return this.#tenants.size === 0 && this.#people.size === 0;
  }

  async resolve(ref: ParticipantRef): Promise<DirectoryEntry | null> {
    const person = this.#people.get(participantKey(ref));
    return person ? entry(person) : null;
  }

  async resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>> {
    const result = new Map<string, DirectoryEntry>();
    for (const ref of refs) {
      const found = await this.resolve(ref);
      if (found) result.set(participantKey(ref), found);
    }
    return result;
  }

  async searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]> {
    const needle = query.query?.trim().toLowerCase();
    return [...this.#people.values()]
      .filter((p) => p.type === query.type)
      .filter((p) => query.storeId === undefined || p.tenantId === query.storeId)
      .filter(
        (p) =>
          !needle || p.name.toLowerCase().includes(needle) || (p.email ?? '').toLowerCase().includes(needle),
      )
      .sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1))
      .slice(0, query.limit)
      .map(entry);
  }
}
