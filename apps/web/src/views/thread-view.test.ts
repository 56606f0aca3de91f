import { describe, expect, it } from 'vitest';
import type { Message } from '../state/inbox-port.js';
import type { ThreadState } from '../state/inbox-store.js';
import { stateOf } from './thread-view.js';

// The states under a message as its sender sees them, from fixtures of the API's shapes — the
// moderation ones as agreed for issue 14 (`moderation: { state, reason? }`).

const ME = { type: 'customer', id: 'c1' };

function sent(overrides: Partial<Message> = {}): { kind: 'sent'; key: string; message: Message } {
  const message: Message = {
    id: 'm1',
    conversation_id: 'k1',
    seq: 3,
    sender_type: ME.type,
    sender_id: ME.id,
    sender_name: 'Carla',
    content: 'hello',
    is_system_message: false,
    is_deleted: false,
    created_at: '2026-12-07T08:00:00.000Z',
    attachments: [],
    ...overrides,
  };
  return { kind: 'sent', key: message.id, message };
}

const thread = (read: number, delivered: number): ThreadState => ({
  detail: null,
  items: [],
  olderCursor: null,
  othersReadSeq: read,
  othersDeliveredSeq: delivered,
  reads: {},
  newAfterSeq: null,
  focusId: null,
  loading: false,
});

describe('the state under a message', () => {
  it('says "Pending review" for a held message and "Not delivered: {reason}" for a rejected one, before any receipt', () => {
    expect(stateOf(sent({ moderation: { state: 'held' } }), true, thread(0, 0), false)).toBe(
      'Pending review',
    );
    expect(
      stateOf(
        sent({ moderation: { state: 'rejected', reason: 'contact details are not allowed' } }),
        true,
        thread(5, 5),
        false,
      ),
    ).toBe('Not delivered: contact details are not allowed');
    expect(stateOf(sent({ moderation: { state: 'rejected' } }), true, thread(0, 0), false)).toBe(
      'Not delivered: refused by moderation',
    );
  });

  it('approved or flagged messages read like any other; others see no state', () => {
    expect(stateOf(sent({ moderation: { state: 'approved' } }), true, thread(3, 3), false)).toBe('Read');
    expect(stateOf(sent({ moderation: { state: 'flagged' } }), true, thread(0, 3), false)).toBe('Delivered');
    expect(stateOf(sent({ moderation: { state: 'held' } }), false, thread(0, 0), false)).toBeNull();
  });
});
