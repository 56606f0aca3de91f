import { Type } from 'typebox';
import { DateTime, Nullable, Problem } from './common.js';

/**
 * The care-team compatibility API's wire shapes (`/api/messages/*`), exactly as that platform's
 * clients expect them: snake_case, ISO 8601 UTC dates, string ids.
 */

/** A username (the token's `sub`). */
export const Username = Type.String({ minLength: 1, maxLength: 255, examples: ['dr.kim'] });

export const SendBody = Type.Object(
  {
    recipient: Username,
    subject: Type.Optional(Type.String({ maxLength: 100 })),
    content: Type.String({ minLength: 1, maxLength: 5000 }),
  },
  { additionalProperties: false },
);

export const SentWire = Type.Object({
  message_id: Type.String(),
  sent_at: DateTime,
  status: Type.Literal('sent'),
});

export const InboxQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 50, default: 20 })),
    unread_only: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const InboxWire = Type.Object({
  conversations: Type.Array(
    Type.Object({
      with_user: Type.String(),
      last_message: Nullable(Type.String()),
      last_message_time: DateTime,
      unread_count: Type.Integer({ minimum: 0 }),
      is_latest_from_them: Type.Boolean(),
    }),
  ),
  total_unread: Type.Integer({ minimum: 0 }),
  page: Type.Integer({ minimum: 1 }),
  page_size: Type.Integer({ minimum: 1 }),
  total_conversations: Type.Integer({ minimum: 0 }),
});

export const UsernameParams = Type.Object({ username: Username });

export const ConversationQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })) },
  { additionalProperties: false },
);

export const ConversationWire = Type.Object({
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      sender: Type.String(),
      recipient: Type.String(),
      content: Type.String(),
      subject: Nullable(Type.String()),
      is_read: Type.Boolean(),
      read_at: Nullable(DateTime),
      sent_at: DateTime,
    }),
  ),
  participant_count: Type.Integer({ minimum: 0 }),
});

export const MessageParams = Type.Object({ message_id: Type.String({ minLength: 1, maxLength: 255 }) });

export const ReadWire = Type.Object({
  message_id: Type.String(),
  is_read: Type.Literal(true),
  read_at: DateTime,
});

export const BlockBody = Type.Object({ username: Username }, { additionalProperties: false });

export const BlockWire = Type.Object({
  username: Type.String(),
  name: Type.String(),
  blocked_at: DateTime,
});

export const BlockListWire = Type.Object({ blocks: Type.Array(BlockWire) });

/** Problem details plus `error` (the same text as `detail`): these clients read `error`. */
export const CareTeamProblem = Type.Object(
  {
    ...Problem.properties,
    error: Type.String({ description: 'The same text as `detail`, for clients that read `error`.' }),
  },
  { description: 'RFC 9457 problem details with an `error` member' },
);

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `field` names the input at fault.',
  401: 'Missing, invalid or expired bearer token.',
  403: 'A role rule, a block, or not the message’s sender or recipient.',
  404: 'Not found (or not visible to the caller).',
  413: 'The request body is too large.',
  415: 'Unsupported Content-Type.',
  429: 'Rate limit exceeded: see Retry-After.',
  500: 'Unexpected server error.',
};

/** Problem responses (with `error`) for the statuses every route answers plus `statuses`. */
export function careTeamProblems(...statuses: number[]) {
  const responses: Record<
    string,
    { description: string; content: Record<string, { schema: typeof CareTeamProblem }> }
  > = {};
  for (const status of [...new Set([400, 401, 403, 413, 415, 429, 500, ...statuses])].sort()) {
    responses[String(status)] = {
      description: DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: CareTeamProblem } },
    };
  }
  return responses;
}
