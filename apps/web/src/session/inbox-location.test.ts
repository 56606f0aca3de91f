import { describe, expect, it } from 'vitest';
import { conversationPath, readInboxLocation } from './inbox-location.js';

describe('readInboxLocation', () => {
  it('finds the inbox path and the open conversation, under a base path too', () => {
    expect(readInboxLocation('/inbox')).toEqual({ inboxPath: '/inbox/', conversationId: null });
    expect(readInboxLocation('/inbox/')).toEqual({ inboxPath: '/inbox/', conversationId: null });
    expect(readInboxLocation('/inbox/c/abc%20d')).toEqual({ inboxPath: '/inbox/', conversationId: 'abc d' });
    expect(readInboxLocation('/parley/inbox/c/k1')).toEqual({
      inboxPath: '/parley/inbox/',
      conversationId: 'k1',
    });
    expect(readInboxLocation('/inbox/c/%E0%A4%A')).toEqual({ inboxPath: '/inbox/', conversationId: null });
  });

  it('builds the paths it reads', () => {
    expect(conversationPath('/inbox/', 'a/b')).toBe('/inbox/c/a%2Fb');
    expect(readInboxLocation(conversationPath('/x/inbox/', 'a/b')).conversationId).toBe('a/b');
    expect(conversationPath('/inbox/', null)).toBe('/inbox/');
  });
});
