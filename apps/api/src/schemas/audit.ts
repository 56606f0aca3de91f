import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';

const Text = Type.String({ minLength: 1, maxLength: 255 });

/** One audit row on the wire: request metadata included (only audit readers ever see it). */
export const AuditEntryWire = Type.Object(
  {
    id: Type.String({ description: 'Monotonic id (decimal string).' }),
    occurred_at: DateTime,
    tenant_id: Nullable(Type.String()),
    actor: Type.Object({
      type: Type.String(),
      id: Type.String(),
      role: Nullable(Type.String({ description: 'The token role of the request; null without one.' })),
    }),
    action: Type.String({ examples: ['conversation.close'] }),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    request_id: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    diff: Type.Record(Type.String(), Type.Unknown(), {
      description: 'What changed (`{ field: { from, to } }` for updates); secrets are `[masked]`.',
    }),
  },
  { $id: 'AuditEntry' },
);

export const AuditLogListWire = Type.Object({
  entries: Type.Array(AuditEntryWire, { description: 'Newest first.' }),
  next_cursor: Nullable(Cursor),
});

const filterProperties = {
  tenant_id: Type.Optional(Id),
  actor_type: Type.Optional(Text),
  actor_id: Type.Optional(Text),
  action: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'One action, or `noun.*` (e.g. `conversation.*`).',
    }),
  ),
  target_type: Type.Optional(Text),
  target_id: Type.Optional(Text),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Occurred at or after.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Occurred before.' })),
};

export const AuditLogQuery = Type.Object(
  {
    ...filterProperties,
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

export const AuditLogExportQuery = Type.Object(filterProperties, { additionalProperties: false });

export const AuditLogNdjson = Type.Unsafe<unknown>({
  type: 'string',
  description:
    'One `AuditEntry` JSON object per line (`application/x-ndjson`), newest first, streamed as the rows are read.',
});
