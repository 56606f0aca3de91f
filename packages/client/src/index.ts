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
export type { BackoffOptions } from './realtime/backoff-delay.js';
export { backoffDelay } from './realtime/backoff-delay.js';
export type {
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeError,
  RealtimeEvents,
  RealtimeStatus,
  RealtimeTransport,
  ResyncNotice,
  WebSocketConstructor,
  WebSocketLike,
} from './realtime/create-realtime-client.js';
export { createRealtimeClient } from './realtime/create-realtime-client.js';
export { DedupeWindow } from './realtime/dedupe-window.js';
export type {
  ClientFrame,
  ClosedStateData,
  CloseFrame,
  ConversationClosedFrame,
  ConversationCreatedFrame,
  ConversationDeliveredFrame,
  ConversationReadFrame,
  ConversationRenamedFrame,
  ConversationReopenedFrame,
  DurableFrame,
  DurableFrameOf,
  ErrorFrame,
  FrameParticipant,
  LiveReadState,
  MessageDeletedFrame,
  MessageSentFrame,
  ParticipantAddedFrame,
  ParticipantBlockedFrame,
  ParticipantPreferencesUpdatedFrame,
  ParticipantRemovedFrame,
  ParticipantRoleChangedFrame,
  ParticipantUnblockedFrame,
  PongFrame,
  PresenceFrame,
  ResyncRequiredFrame,
  ServerFrame,
  TypingFrame,
  UnknownDurableFrame,
} from './realtime/frames.js';
export { DURABLE_FRAME_TYPES, isDurable, isKnownDurable } from './realtime/frames.js';
export { SseFrameReader } from './realtime/sse-frame-reader.js';
export type { TypingThrottleOptions } from './realtime/typing-throttle.js';
export { TypingThrottle } from './realtime/typing-throttle.js';
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
  Recipient,
  RecipientQuery,
  RequestBody,
  ResponseBody,
  StartConversation,
  UnreadCount,
} from './types.js';
export type { UploadProgress, XhrConstructor, XhrLike } from './xhr-request.js';
