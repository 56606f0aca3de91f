import { MAX_MODERATION_TERM_LENGTH, MAX_MODERATION_TERMS } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';
import { ParticipantTypeField } from './messaging.js';

const MatchAction = Type.Union(
  [Type.Literal('reject'), Type.Literal('flag'), Type.Literal('hold'), Type.Literal('rewrite')],
  {
    description:
      'What a match does: `reject` (422, nothing stored), `flag` (delivered, queued for review), `hold` (queued, delivered only once approved), `rewrite` (masked with `***`).',
  },
);
const Terms = Type.Array(Type.String({ minLength: 1, maxLength: MAX_MODERATION_TERM_LENGTH }), {
  maxItems: MAX_MODERATION_TERMS,
});

export const ModerationSettingsWire = Type.Object(
  {
    word_list: Type.Object({
      enabled: Type.Boolean(),
      action: MatchAction,
      added_terms: Type.Array(Type.String(), {
        description: 'Words or phrases refused besides the built-in list (word boundaries, any case).',
      }),
      allowed_terms: Type.Array(Type.String(), {
        description: 'Words the built-in list would match that this tenant allows.',
      }),
    }),
    contact_details: Type.Object({
      enabled: Type.Boolean(),
      action: MatchAction,
      emails: Type.Boolean(),
      phones: Type.Boolean(),
      links: Type.Boolean(),
    }),
  },
  { description: "A tenant's moderation configuration (its own, else the preset's defaults)." },
);

export const ModerationSettingsBody = Type.Object(
  {
    word_list: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          action: Type.Optional(MatchAction),
          added_terms: Type.Optional(Terms),
          allowed_terms: Type.Optional(Terms),
        },
        { additionalProperties: false },
      ),
    ),
    contact_details: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          action: Type.Optional(MatchAction),
          emails: Type.Optional(Type.Boolean()),
          phones: Type.Optional(Type.Boolean()),
          links: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Partial: the fields given replace those in force.' },
);

const Person = Type.Object({ type: ParticipantTypeField, id: Id, name: Type.String() });

export const ModerationItemWire = Type.Object({
  message_id: Id,
  conversation_id: Id,
  store_id: Nullable(Type.String({ description: "The conversation's tenant." })),
  seq: Type.Integer({ minimum: 1 }),
  sender: Person,
  content: Type.String(),
  attachment_count: Type.Integer({ minimum: 0 }),
  created_at: DateTime,
  state: Type.Union(
    [Type.Literal('flagged'), Type.Literal('held'), Type.Literal('approved'), Type.Literal('rejected')],
    { description: '`flagged` and `held` wait for review; `approved` and `rejected` are decided.' },
  ),
  reason: Nullable(Type.String()),
  reviewed_by: Nullable(Person),
  reviewed_at: Nullable(DateTime),
});

export const ModerationQueueWire = Type.Object({
  items: Type.Array(ModerationItemWire),
  next_cursor: Nullable(Cursor),
});

export const ModerationQueueQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('flagged'), Type.Literal('held')])),
    store_id: Type.Optional(Id),
    conversation_id: Type.Optional(Id),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

export const ModerationMessageParams = Type.Object({ message_id: Id });

export const RejectMessageBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Why: the sender sees it on their message.',
    }),
  },
  { additionalProperties: false },
);
