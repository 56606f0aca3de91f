// Named shapes of the API: the document's named schemas (`components.schemas`) where it has them,
// else taken from the operations (`paths`). These aliases are the one place to adjust when a name
// in the document changes.
import type { components, paths } from './generated/openapi.js';

type Schemas = components['schemas'];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The JSON body of the `status` answer of `method path`. */
export type ResponseBody<
  P extends keyof paths,
  M extends Method & keyof paths[P],
  S extends number,
> = paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer B } } } } ? B : never;

/** The JSON request body of `method path`. */
export type RequestBody<P extends keyof paths, M extends Method & keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters of `method path`. */
export type QueryOf<P extends keyof paths, M extends Method & keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** One page of the caller's inbox: `{ conversations, total, total_unread, next_cursor }`. */
export type ConversationPage = Schemas['ConversationPage'];
/** An inbox line: subject, counterpart(s), last message, the caller's own unread count and read state. */
export type ConversationSummary = Schemas['ConversationSummary'];
/** A conversation with its members and latest messages (oldest first), as `GET …/{id}` answers. */
export type ConversationDetail = Schemas['ConversationDetail'];
/** A member of a conversation with their read state and role. */
export type Participant = Schemas['ConversationMember'];
/** One page of older history: `{ messages, next_cursor }`, oldest first within the page. */
export type MessagePage = Schemas['MessagePage'];
/** A message as the API returns it to the caller, with its attachments and receipts. */
export type Message = Schemas['Message'];
/** A file attached to a message, with the caller's download (and thumbnail) paths. */
export type Attachment = Schemas['Attachment'];
/** The caller's read state after `POST …/{id}/read`. */
export type ReadState = Schemas['ReadState'];
/** The header badge: `{ total_unread }`. */
export type UnreadCount = Schemas['UnreadCount'];
/** `{ ticket, expires_at }` from `POST /api/v1/realtime/ticket`. */
export type RealtimeTicket = Schemas['RealtimeTicket'];
/** `{ presence: [...] }` from `GET /api/v1/presence`. */
export type PresenceAnswer = Schemas['Presence'];
/** One person's presence: participant, `online` / `away` / `offline`, `last_active_at`. */
export type Presence = PresenceAnswer['presence'][number];
/**
 * Filters and keyset cursor of `GET /api/v1/conversations`. `conversation_type` is any preset's
 * type: the document is generated with the marketplace preset, whose enum would refuse the
 * community's `direct` or `group`.
 */
export type ConversationQuery = Omit<QueryOf<'/api/v1/conversations', 'get'>, 'conversation_type'> & {
  conversation_type?: string;
};
/**
 * The body of `POST /api/v1/conversations`: type, subject, the other participants (each gets the
 * role the policy gives at creation), a first message. Types are any preset's, as for `ConversationQuery`.
 */
export type StartConversation = Omit<
  RequestBody<'/api/v1/conversations', 'post'>,
  'conversation_type' | 'participants'
> & {
  conversation_type: string;
  participants: { type: string; id: string }[];
};
/**
 * A person a conversation may be started with: `GET /api/v1/conversations/recipients` (any preset)
 * or `GET /api/v1/{admin|store}/messages/recipients` (the marketplace's audiences): the same shape.
 */
export type Recipient = ResponseBody<'/api/v1/store/messages/recipients', 'get', 200>['recipients'][number];
/** The search of `recipients`: `recipient_type` (`store` or `customer`), `q` (name or email), `limit`. */
export type RecipientQuery = QueryOf<'/api/v1/store/messages/recipients', 'get'>;
