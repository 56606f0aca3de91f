import { describe, expect, it } from 'vitest';
import { endpointReceives } from './webhook-endpoint.js';

const platform = { owner: { kind: 'platform' as const }, eventTypes: ['*'], tenantIds: null, enabled: true };

describe('endpointReceives', () => {
  it('gives "*" every conversation event and none of the kernel cache events', () => {
    expect(endpointReceives(platform, 'message.sent', 'acme')).toBe(true);
    expect(endpointReceives(platform, 'directory.changed', 'acme')).toBe(false);
    expect(endpointReceives(platform, 'settings.changed', null)).toBe(false);
  });

  it('honours the type list, the tenant filter and enabled', () => {
    const some = { ...platform, eventTypes: ['conversation.created'], tenantIds: ['acme'] };
    expect(endpointReceives(some, 'conversation.created', 'acme')).toBe(true);
    expect(endpointReceives(some, 'conversation.created', 'other')).toBe(false);
    expect(endpointReceives(some, 'message.sent', 'acme')).toBe(false);
    expect(endpointReceives({ ...platform, enabled: false }, 'message.sent', 'acme')).toBe(false);
  });
});
