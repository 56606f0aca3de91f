import type {
  AuditEntry,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointCursor,
  WebhookEndpointRepository,
  WebhookOwner,
  WebhookSecret,
} from '@parley/messaging-core';
import { type Kysely, type Selectable, sql } from 'kysely';
import { insertAuditEntries } from '../audit/kysely-audit-log.js';
import type { Database, WebhookEndpointsTable, WebhookSecretsTable } from '../database-types.js';

type EndpointRow = Selectable<WebhookEndpointsTable>;

export function toWebhookEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    owner:
      row.owner_tenant_id === null ? { kind: 'platform' } : { kind: 'tenant', tenantId: row.owner_tenant_id },
    url: row.url,
    eventTypes: row.event_types,
    tenantIds: row.tenant_ids,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSecret(row: Selectable<WebhookSecretsTable>): WebhookSecret {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    sealed: row.sealed,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/**
 * `WebhookEndpointRepository` on PostgreSQL or PGlite (`webhook_endpoints`, `webhook_secrets`;
 * migration 0023). Writes that touch two tables are one statement each (data-modifying CTEs), so
 * they are atomic outside a transaction too.
 *
 * @example
 * ```ts
 * const endpoints = new KyselyWebhookEndpointRepository(db);
 * await endpoints.listEnabledFor(['acme', null]);
 * ```
 */
export class KyselyWebhookEndpointRepository implements WebhookEndpointRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(endpoint: WebhookEndpoint, secret: WebhookSecret, audit?: AuditEntry): Promise<void> {
    const owner = endpoint.owner.kind === 'tenant' ? endpoint.owner.tenantId : null;
    await this.#audited(audit, (db) =>
      sql`
      with endpoint as (
        insert into webhook_endpoints (id, owner_tenant_id, url, event_types, tenant_ids, description,
          enabled, disabled_reason, disabled_at, created_at, updated_at)
        values (${endpoint.id}, ${owner}, ${endpoint.url}, ${[...endpoint.eventTypes]}::text[],
          ${endpoint.tenantIds === null ? null : [...endpoint.tenantIds]}::text[], ${endpoint.description},
          ${endpoint.enabled}, ${endpoint.disabledReason}, ${endpoint.disabledAt}::timestamptz,
          ${endpoint.createdAt}::timestamptz, ${endpoint.updatedAt}::timestamptz)
        returning id
      )
      insert into webhook_secrets (id, endpoint_id, sealed, created_at, expires_at)
      select ${secret.id}, endpoint.id, ${secret.sealed}, ${secret.createdAt}::timestamptz,
        ${secret.expiresAt}::timestamptz
      from endpoint`.execute(db),
    );
  }

  #owned(owner: WebhookOwner) {
    return this.#db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .$if(owner.kind === 'tenant', (qb) =>
        qb.where('owner_tenant_id', '=', owner.kind === 'tenant' ? owner.tenantId : ''),
      );
  }

  async find(id: string, owner: WebhookOwner): Promise<WebhookEndpoint | null> {
    const row = await this.#owned(owner).where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toWebhookEndpoint(row);
  }

  async list(
    owner: WebhookOwner,
    page: { readonly limit: number; readonly after?: WebhookEndpointCursor },
  ): Promise<WebhookEndpoint[]> {
    const after = page.after;
    const rows = await this.#db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where((eb) =>
        owner.kind === 'tenant'
          ? eb('owner_tenant_id', '=', owner.tenantId)
          : eb('owner_tenant_id', 'is', null),
      )
      .$if(after !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('created_at', '>', after?.createdAt ?? new Date(0)),
            eb.and([eb('created_at', '=', after?.createdAt ?? new Date(0)), eb('id', '>', after?.id ?? '')]),
          ]),
        ),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toWebhookEndpoint);
  }

  async listEnabledFor(tenantIds: readonly (string | null)[]): Promise<WebhookEndpoint[]> {
    const named = tenantIds.filter((t): t is string => t !== null);
    const rows = await this.#db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('enabled', '=', true)
      .where((eb) =>
        named.length === 0
          ? eb('owner_tenant_id', 'is', null)
          : eb.or([eb('owner_tenant_id', 'is', null), eb('owner_tenant_id', 'in', named)]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toWebhookEndpoint);
  }

  async update(
    id: string,
    owner: WebhookOwner,
    changes: WebhookEndpointChanges,
    audit?: AuditEntry,
  ): Promise<WebhookEndpoint | null> {
    const enabled = changes.enabled;
    const row = await this.#audited(audit, (db) =>
      db
        .updateTable('webhook_endpoints')
        .set((eb) => ({
          updated_at: changes.at,
          ...(changes.url === undefined ? {} : { url: changes.url }),
          ...(changes.eventTypes === undefined
            ? {}
            : { event_types: sql<string[]>`${[...changes.eventTypes]}::text[]` }),
          ...(changes.tenantIds === undefined
            ? {}
            : {
                tenant_ids: sql<
                  string[] | null
                >`${changes.tenantIds === null ? null : [...changes.tenantIds]}::text[]`,
              }),
          ...(changes.description === undefined ? {} : { description: changes.description }),
          ...(enabled === undefined
            ? {}
            : enabled
              ? { enabled: true, disabled_reason: null, disabled_at: null }
              : {
                  enabled: false,
                  disabled_reason: changes.disabledReason ?? 'manual',
                  // Already disabled: keep when it first was.
                  disabled_at: eb
                    .case()
                    .when('enabled', '=', true)
                    .then(sql<Date>`${changes.at}::timestamptz`)
                    .else(eb.ref('disabled_at'))
                    .end(),
                }),
        }))
        .where('id', '=', id)
        .$if(owner.kind === 'tenant', (qb) =>
          qb.where('owner_tenant_id', '=', owner.kind === 'tenant' ? owner.tenantId : ''),
        )
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? null : toWebhookEndpoint(row);
  }

  async delete(id: string, owner: WebhookOwner, audit?: AuditEntry): Promise<boolean> {
    return this.#audited(audit, async (db) => {
      const result = await db
        .deleteFrom('webhook_endpoints')
        .where('id', '=', id)
        .$if(owner.kind === 'tenant', (qb) =>
          qb.where('owner_tenant_id', '=', owner.kind === 'tenant' ? owner.tenantId : ''),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async rotateSecret(secret: WebhookSecret, expireOthersAt: Date, audit?: AuditEntry): Promise<void> {
    await this.#audited(audit, (db) =>
      sql`
      with expired as (
        update webhook_secrets set expires_at = ${expireOthersAt}::timestamptz
        where endpoint_id = ${secret.endpointId}
          and (expires_at is null or expires_at > ${expireOthersAt}::timestamptz)
        returning id
      )
      insert into webhook_secrets (id, endpoint_id, sealed, created_at, expires_at)
      values (${secret.id}, ${secret.endpointId}, ${secret.sealed}, ${secret.createdAt}::timestamptz,
        ${secret.expiresAt}::timestamptz)`.execute(db),
    );
  }

  /**
   * Runs a write; with an audit entry, in one transaction with that row (unless it changed
   * nothing: `false`, `undefined` rows).
   */
  async #audited<T>(audit: AuditEntry | undefined, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (audit === undefined) return write(this.#db);
    const run = async (db: Kysely<Database>) => {
      const result = await write(db);
      if (result !== false && result !== undefined) await insertAuditEntries(db, [audit]);
      return result;
    };
    return this.#db.isTransaction ? run(this.#db) : this.#db.transaction().execute(run);
  }

  async activeSecrets(endpointId: string, at: Date): Promise<WebhookSecret[]> {
    const rows = await this.#db
      .selectFrom('webhook_secrets')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toSecret);
  }
}
