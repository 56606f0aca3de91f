import type { TokenProvider } from '@parley/client';
import type { LiveFeed, LiveHandlers } from './inbox-port.js';

/** Placeholder until @parley/client's real-time client is merged: reports online, delivers nothing. */
export function connectLive(
  _options: { readonly baseUrl: string; readonly token: TokenProvider },
  handlers: LiveHandlers,
): LiveFeed {
  handlers.status('online');
  return { typing: () => {}, stopTyping: () => {}, stop: () => {} };
}
