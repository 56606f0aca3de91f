export type {
  FileInput,
  ParleyClient,
  ParleyClientOptions,
  ParticipantRef,
  SendMessageInput,
  SentMessage,
} from './create-parley-client.js';
export { createParleyClient } from './create-parley-client.js';
export type { components, operations, paths } from './generated/openapi.js';
export type { Problem } from './parley-api-error.js';
export { ParleyApiError, ParleyNetworkError } from './parley-api-error.js';
export type { TokenProvider } from './token-provider.js';
export { resolveToken } from './token-provider.js';
export type {
  Attachment,
  ConversationDetail,
  ConversationPage,
  ConversationQuery,
  ConversationSummary,
  Message,
  MessagePage,
  Participant,
  Presence,
  PresenceAnswer,
  QueryOf,
  ReadState,
  RealtimeTicket,
  RequestBody,
  ResponseBody,
  StartConversation,
  UnreadCount,
} from './types.js';
