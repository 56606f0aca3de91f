// @parley/messaging-core/realtime: this context's public names (the package index re-exports them).
export { createLiveFeed, type LiveFeedDependencies } from './create-live-feed.js';
export type { LiveAudience, LiveBatch, LiveDelivery, LiveFeed, LiveReplay } from './live-feed.js';
export type { LiveConversationChange, LiveReadState, LiveView, LiveViewKind } from './live-view.js';
export type {
  ClientPresenceStatus,
  LiveSignal,
  LiveSignalKind,
  PresenceReport,
  PresenceStatus,
  TypingState,
} from './model/live-signal.js';
export { MAX_SIGNAL_BYTES } from './model/live-signal.js';
export { decodeLiveSignal, deliverLiveSignal, encodeLiveSignal, utf8Bytes } from './model/signal-codec.js';
export type { LiveSignalBus } from './ports/live-signal-bus.js';
export { presenceAsSeen } from './presence-as-seen.js';
export type {
  PresenceChange,
  PresenceTrackerOptions,
  PresenceUpdate,
  PresenceView,
} from './presence-tracker.js';
export { PresenceTracker } from './presence-tracker.js';
export type { TypingFrame, TypingInput, TypingRelayOptions, TypingStop } from './typing-relay.js';
export { TypingRelay } from './typing-relay.js';
