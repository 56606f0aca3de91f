import { SEARCH_MAX_TERMS, SEARCH_QUERY_MAX_LENGTH } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';
import { ConversationTypeField, ParticipantTypeField } from './messaging.js';

/** The `q` of a search and of the inbox filter (the core counts characters and words). */
export const SearchText = (what: string) =>
  Type.String({
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    description: `${what} 1 to ${SEARCH_QUERY_MAX_LENGTH} characters, 1 to ${SEARCH_MAX_TERMS} words (letters and digits; everything else separates words).`,
  });

/** `GET …/search`: the words and the filters. */
export const MessageSearchQuery = Type.Object({
  q: SearchText(
    'The words to find: each must begin a word of the message (`invo` finds "Invoice"), whatever the case.',
  ),
  sort: Type.Optional(
    Type.String({
      enum: ['relevance', 'recent'],
      default: 'relevance',
      description:
        '`relevance` (the newest 200 matches, best first, then newest) or `recent` (every match, newest first).',
    }),
  ),
  conversation_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Only this conversation (one the caller may see; else 404, as for a missing id).',
    }),
  ),
  sender: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 300,
      pattern: '^[^:]+:.+$',
      description:
        'Only messages of this sender, as `{participant type}:{id}` (e.g. `customer:c-42`; the id may contain `:`).',
    }),
  ),
  from: Type.Optional({ ...DateTime, description: 'Only messages sent at or after this instant.' }),
  to: Type.Optional({ ...DateTime, description: 'Only messages sent before this instant (after `from`).' }),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (default 20).' }),
  ),
  cursor: Type.Optional(Cursor),
});

/** A piece of a snippet: plain text, highlighted or not. */
export const SnippetSegmentWire = Type.Object(
  {
    text: Type.String({ description: 'Plain text of the message: render it as text, never as HTML.' }),
    highlight: Type.Boolean({ description: 'True for a match (e.g. wrap it in a `<mark>`).' }),
  },
  { description: 'A piece of a search snippet.' },
);

/** The conversation of a search result, as far as a result line needs it. */
export const SearchConversationWire = Type.Object({
  id: Id,
  conversation_type: ConversationTypeField,
  subject: Type.String(),
  store_id: Nullable(Id),
  is_closed: Type.Boolean(),
  last_message_at: Nullable(DateTime),
});

/** The message found (its full content; the snippet is the part to show in a result list). */
export const SearchMessageWire = Type.Object({
  id: Id,
  conversation_id: Id,
  seq: Type.Integer({ minimum: 1 }),
  sender_type: ParticipantTypeField,
  sender_id: Id,
  sender_name: Type.String(),
  content: Type.String(),
  created_at: DateTime,
});

export const MessageSearchResultWire = Type.Object(
  {
    conversation: SearchConversationWire,
    message: SearchMessageWire,
    snippet: Type.Array(SnippetSegmentWire, {
      description:
        'Up to about 160 characters of the message around its first match, as segments in order; `…` segments mark cut text.',
    }),
    rank: Type.Number({
      minimum: 0,
      description: 'How well it matched (higher is better), comparable within one search only.',
    }),
  },
  { description: 'A message found by a search.' },
);

export const MessageSearchPageWire = Type.Object({
  results: Type.Array(MessageSearchResultWire),
  next_cursor: Nullable(Cursor),
});
