import type { DirectoryEntry } from '../model/directory-entry.js';
import type { ParticipantRef } from '../model/participant-ref.js';
import type { Directory } from './directory.js';
import type { TenantDirectory } from './tenant-directory.js';

/** A tenant of a people directory (a school, a clinic): the unit of tenancy of tenant-bound types. */
export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  /**
   * The tenant's language (BCP 47): message search stems the words of its new conversations in
   * it (see migration 0021). Absent: unknown (no stemming).
   */
  readonly language?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A person: one participant type of the preset's policy, an id unique within that type. */
export interface PersonRecord {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  /** Null when the person has no address (then they get no email). */
  readonly email: string | null;
  /** BCP 47 language tag. */
  readonly locale: string;
  /** The tenant of a tenant-bound type; null for platform-wide people. */
  readonly tenantId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type UpsertTenant = Omit<TenantRecord, 'createdAt' | 'updatedAt'>;
export type UpsertPerson = Omit<PersonRecord, 'createdAt' | 'updatedAt'>;

/**
 * The directory of the presets whose people are all alike (care-team, community): tenants and
 * people of any participant type, as the host platform reports them. It knows nothing of the
 * policy: whether a type is tenant-bound is checked by whoever writes (the platform routes).
 *
 * - Upserts are idempotent: the same record twice leaves one row and keeps `createdAt`.
 * - A person naming an unknown tenant fails with `NOT_FOUND`.
 * - `removePerson` deletes the entry (the person can no longer act or be reached); their past
 *   messages stay.
 *
 * @example
 * ```ts
 * await people.upsertPerson({ type: 'clinician', id: 'dr.kim', name: 'Dr Kim', email: 'kim@clinic.test',
 *   locale: 'en', tenantId: null }, now);
 * (await people.findById('dr.kim')).map((e) => e.ref.type); // ['clinician']
 * ```
 */
export interface PeopleDirectory extends Directory, TenantDirectory {
  upsertTenant(tenant: UpsertTenant, at: Date): Promise<TenantRecord>;
  getTenant(id: string): Promise<TenantRecord | null>;
  upsertPerson(person: UpsertPerson, at: Date): Promise<PersonRecord>;
  getPerson(ref: ParticipantRef): Promise<PersonRecord | null>;
  /** True when the person existed. */
  removePerson(ref: ParticipantRef): Promise<boolean>;
  /**
   * Every entry with that id, whatever its type, ordered by type: how a preset that names
   * people by a username alone (care-team) finds the one person behind it.
   */
  findById(id: string): Promise<DirectoryEntry[]>;
  /** True when no tenant and no person exists yet (used to seed demo data once). */
  isEmpty(): Promise<boolean>;
}
