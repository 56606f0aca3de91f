import type {
  EmailFrequency,
  ListDigestSubscribersInput,
  NotificationPreferencesRepository,
  NotificationPreferencesUpdatedEvent,
  ParticipantRef,
  SavedNotificationPreferences,
} from '@parley/messaging-core';
import { participantKey } from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import { KyselyEventLog } from '../conversations/kysely-event-log.js';
import type { Database } from '../database-types.js';

interface PreferencesRow {
  readonly participant_type: string;
  readonly participant_id: string;
  readonly tenant_id: string | null;
  readonly email_frequency: string;
  readonly time_zone: string;
  readonly digest_hour: number;
  readonly digest_weekday: number;
  readonly updated_at: Date | string;
}

const COLUMNS = sql`participant_type, participant_id, tenant_id, email_frequency, time_zone,
  digest_hour, digest_weekday, updated_at`;

function toPreferences(row: PreferencesRow): SavedNotificationPreferences {
  return {
    participant: { type: row.participant_type, id: row.participant_id },
    tenantId: row.tenant_id,
    emailFrequency: row.email_frequency as EmailFrequency,
    timeZone: row.time_zone,
    digestHour: Number(row.digest_hour),
    digestWeekday: Number(row.digest_weekday),
    updatedAt: new Date(row.updated_at),
  };
}

export interface KyselyNotificationPreferencesRepositoryOptions {
  readonly db: Kysely<Database>;
  /** After a save commits: the id of its event (wakes the local dispatchers and, on PostgreSQL, the others). */
  readonly onEventsCommitted?: (newestId: string) => void;
}

/**
 * `NotificationPreferencesRepository` on `notification_preferences` (migration 0026): an upsert
 * on the participant and the `notification_preferences.updated` event in one transaction.
 *
 * @example
 * ```ts
 * const preferences = new KyselyNotificationPreferencesRepository({ db, onEventsCommitted: (id) => wake(id) });
 * ```
 */
export class KyselyNotificationPreferencesRepository implements NotificationPreferencesRepository {
  readonly #db: Kysely<Database>;
  readonly #committed: ((newestId: string) => void) | undefined;

  constructor(options: KyselyNotificationPreferencesRepositoryOptions) {
    this.#db = options.db;
    this.#committed = options.onEventsCommitted;
  }

  async find(participant: ParticipantRef): Promise<SavedNotificationPreferences | null> {
    const { rows } = await sql<PreferencesRow>`
      select ${COLUMNS} from notification_preferences
      where participant_type = ${participant.type} and participant_id = ${participant.id}`.execute(this.#db);
    return rows[0] === undefined ? null : toPreferences(rows[0]);
  }

  async findMany(
    participants: readonly ParticipantRef[],
  ): Promise<Map<string, SavedNotificationPreferences>> {
    const found = new Map<string, SavedNotificationPreferences>();
    if (participants.length === 0) return found;
    const unique = [...new Map(participants.map((p) => [participantKey(p), p])).values()];
    const { rows } = await sql<PreferencesRow>`
      select ${COLUMNS} from notification_preferences
      where (participant_type, participant_id) in (${sql.join(unique.map((p) => sql`(${p.type}, ${p.id})`))})`.execute(
      this.#db,
    );
    for (const row of rows) {
      const preferences = toPreferences(row);
      found.set(participantKey(preferences.participant), preferences);
    }
    return found;
  }

  /** One transaction: the upsert, then the event (`KyselyEventLog.append`). */
  async save(
    preferences: SavedNotificationPreferences,
    event: NotificationPreferencesUpdatedEvent,
  ): Promise<SavedNotificationPreferences> {
    let newest: string | null = null;
    const saved = await this.#db.transaction().execute(async (trx) => {
      const { rows } = await sql<PreferencesRow>`
        insert into notification_preferences (${COLUMNS})
        values (${preferences.participant.type}, ${preferences.participant.id}, ${preferences.tenantId},
          ${preferences.emailFrequency}, ${preferences.timeZone}, ${preferences.digestHour},
          ${preferences.digestWeekday}, ${preferences.updatedAt.toISOString()}::timestamptz)
        on conflict (participant_type, participant_id) do update set
          tenant_id = excluded.tenant_id, email_frequency = excluded.email_frequency,
          time_zone = excluded.time_zone, digest_hour = excluded.digest_hour,
          digest_weekday = excluded.digest_weekday, updated_at = excluded.updated_at
        returning ${COLUMNS}`.execute(trx);
      await new KyselyEventLog(trx, (id) => {
        newest = id;
      }).append([event]);
      const row = rows[0];
      if (row === undefined) throw new Error('notification_preferences upsert returned no row');
      return toPreferences(row);
    });
    if (newest !== null) this.#committed?.(newest);
    return saved;
  }

  async listDigestSubscribers(input: ListDigestSubscribersInput): Promise<SavedNotificationPreferences[]> {
    const after = input.after;
    const { rows } = await sql<PreferencesRow>`
      select ${COLUMNS} from notification_preferences
      where email_frequency in ('daily', 'weekly')
        ${after === null ? sql`` : sql`and (participant_type, participant_id) > (${after.type}, ${after.id})`}
      order by participant_type, participant_id
      limit ${Math.max(0, Math.floor(input.limit))}`.execute(this.#db);
    return rows.map(toPreferences);
  }
}
