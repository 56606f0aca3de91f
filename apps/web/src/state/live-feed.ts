import { createRealtimeClient, type RealtimeStatus, type TokenProvider } from '@parley/client';
import type { ConnectionStatus, LiveEvent, LiveFeed, LiveHandlers } from './inbox-port.js';

/** The banner's three states from the real-time client's four (`closed` only after `stop`). */
function connectionOf(status: RealtimeStatus): ConnectionStatus {
  if (status === 'open') return 'online';
  return status === 'connecting' ? 'connecting' : 'reconnecting';
}

/**
 * The inbox's live feed over `@parley/client`'s real-time client (docs/realtime.md): a ticket
 * for the browser, WebSocket with SSE fallback, reconnect with backoff, resume from the last event
 * id, delivery acks. Durable events, typing frames, the connection status and resync requests go
 * to `handlers`; presence follows the tab (`away` while hidden). Side effects: a connection, a
 * `visibilitychange` listener; `stop` ends both.
 */
export function connectLive(
  options: { readonly baseUrl: string; readonly token: TokenProvider },
  handlers: LiveHandlers,
): LiveFeed {
  const realtime = createRealtimeClient({ baseUrl: options.baseUrl, token: options.token });
  const onVisibility = () => realtime.setPresence(document.visibilityState === 'visible' ? 'online' : 'away');
  const stops = [
    realtime.on('event', (frame) => {
      if (frame.conversation_id !== null) handlers.event(frame as unknown as LiveEvent);
    }),
    // Types the client package does not type yet (`message.updated`, `conversation.archived`,
    // moderation's `message.held` …) come as `unknown`: the store knows them by name.
    realtime.on('unknown', (frame) => {
      if (frame.conversation_id !== null) handlers.event(frame as unknown as LiveEvent);
    }),
    realtime.on('typing', (frame) => handlers.typing(frame)),
    realtime.on('presence', (frame) => handlers.presence(frame)),
    realtime.on('status', (status) => handlers.status(connectionOf(status))),
    realtime.on('resync', () => handlers.resync()),
  ];
  document.addEventListener('visibilitychange', onVisibility);
  handlers.status(connectionOf(realtime.status));
  return {
    typing: (conversationId) => realtime.typing(conversationId),
    stopTyping: (conversationId) => realtime.stopTyping(conversationId),
    stop: () => {
      for (const stop of stops) stop();
      document.removeEventListener('visibilitychange', onVisibility);
      realtime.close();
    },
  };
}
