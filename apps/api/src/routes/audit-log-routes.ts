import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditCore, AuditLogFilters, AuditRecord } from '@parley/messaging-core';
import type { Static } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import {
  type AuditEntryWire,
  AuditLogExportQuery,
  AuditLogListWire,
  AuditLogNdjson,
  AuditLogQuery,
} from '../schemas/audit.js';
import { problemResponses } from '../schemas/common.js';

export interface AuditLogRoutesOptions {
  readonly audit: AuditCore;
}

/** Audit row → wire: snake_case, ISO time. */
export function toAuditEntryWire(row: AuditRecord): Static<typeof AuditEntryWire> {
  return {
    id: row.id,
    occurred_at: row.occurredAt.toISOString(),
    tenant_id: row.tenantId,
    actor: { type: row.actor.type, id: row.actor.id, role: row.actor.role },
    action: row.action,
    target: { type: row.target.type, id: row.target.id },
    request_id: row.requestId,
    ip: row.ip,
    user_agent: row.userAgent,
    diff: row.diff,
  };
}

function filtersOf(query: Static<typeof AuditLogExportQuery>): AuditLogFilters {
  return {
    ...(query.tenant_id === undefined ? {} : { tenantId: query.tenant_id }),
    ...(query.actor_type === undefined ? {} : { actorType: query.actor_type }),
    ...(query.actor_id === undefined ? {} : { actorId: query.actor_id }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.target_type === undefined ? {} : { targetType: query.target_type }),
    ...(query.target_id === undefined ? {} : { targetId: query.target_id }),
    ...(query.from === undefined ? {} : { from: new Date(query.from) }),
    ...(query.to === undefined ? {} : { to: new Date(query.to) }),
  };
}

async function* ndjson(rows: AsyncIterable<AuditRecord>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(toAuditEntryWire(row))}\n`;
}

/**
 * The audit log (`/api/v1/admin/audit-log`): read-only by construction (no route changes a row).
 * Tokens whose type the policy may grant `read_audit_log` pass the hook (marketplace admins and
 * store users, community admins, care-team admins); the use case scopes tenant-bound readers to
 * their own tenant. Anyone else is a 403.
 *
 * @example
 * ```ts
 * await app.register(auditLogRoutes, { prefix: '/api/v1/admin', audit });
 * ```
 */
export const auditLogRoutes: FastifyPluginAsyncTypebox<AuditLogRoutesOptions> = async (app, options) => {
  const { audit } = options;
  const base = { tags: ['Audit log'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('read_audit_log'));

  app.get(
    '/audit-log',
    {
      schema: {
        ...base,
        operationId: 'adminListAuditLog',
        summary: 'The audit log',
        description:
          'Newest first, in keyset pages; filter by tenant, actor, action (`noun.*` for a noun), target and time. Tenant-bound readers see their own tenant only.',
        querystring: AuditLogQuery,
        response: { 200: AuditLogListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const page = await audit.listAuditLog(actorOfRequest(request), {
        ...filtersOf(filters),
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      });
      return { entries: page.items.map(toAuditEntryWire), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/audit-log/export',
    {
      schema: {
        ...base,
        operationId: 'adminExportAuditLog',
        summary: 'Export the audit log as NDJSON',
        description:
          'Every row matching the filters, newest first, one JSON object per line, streamed (`Content-Type: application/x-ndjson`).',
        querystring: AuditLogExportQuery,
        response: { 200: AuditLogNdjson, ...problemResponses() },
      },
    },
    async (request, reply) => {
      // Permission and filters are checked here, before the first byte: a refusal is a problem.
      const rows = await audit.exportAuditLog(actorOfRequest(request), filtersOf(request.query));
      reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', 'attachment; filename="audit-log.ndjson"');
      return reply.send(Readable.from(ndjson(rows)));
    },
  );
};
