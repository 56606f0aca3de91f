import { describe, expect, it } from 'vitest';
import type { Message } from './inbox-port.js';
import {
  addPending,
  confirmPending,
  dayOf,
  latestSeq,
  mergeMessages,
  type PendingItem,
} from './thread-items.js';

function message(seq: number, content = `m${seq}`): Message {
  return {
    id: `id-${seq}`,
    conversation_id: 'k',
    seq,
    sender_type: 'customer',
    sender_id: 'c1',
    sender_name: 'Cam',
    content,
    is_system_message: false,
    is_deleted: false,
    created_at: '2026-12-07T08:00:00.000Z',
    attachments: [],
  };
}

const pending: PendingItem = {
  kind: 'pending',
  clientId: 'p1',
  key: 'pending:p1',
  idempotencyKey: 'p1',
  content: 'hi',
  files: [],
  createdAt: '2026-12-07T08:05:00.000Z',
  status: 'sending',
};

describe('thread items', () => {
  it('merge by message id in seq order, newer copies replacing older, pending items last', () => {
    const older = mergeMessages([], [message(3), message(1)]);
    const withPending = addPending(older, pending);
    const merged = mergeMessages(withPending, [message(2), { ...message(3, ''), is_deleted: true }]);
    expect(merged.map((i) => i.key)).toEqual(['id-1', 'id-2', 'id-3', 'pending:p1']);
    expect(merged[2]?.kind === 'sent' && merged[2].message.is_deleted).toBe(true);
    expect(latestSeq(merged)).toBe(3);
  });

  it('confirm a pending item once, even when the live feed brought its message first', () => {
    const live = mergeMessages(addPending(mergeMessages([], [message(1)]), pending), [message(2, 'hi')]);
    const confirmed = confirmPending(live, 'p1', message(2, 'hi'));
    expect(confirmed.map((i) => i.key)).toEqual(['id-1', 'id-2']);
  });

  it('put a date separator per local calendar day', () => {
    expect(dayOf('2026-12-07T12:00:00.000Z')).toMatch(/^2026-12-0[67]$/);
    expect(dayOf('2026-12-07T12:00:00.000Z')).not.toBe(dayOf('2026-12-09T12:00:00.000Z'));
  });
});
