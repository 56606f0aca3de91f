import { describe, expect, it } from 'vitest';
import { groupByCounterpart } from './counterpart-groups.js';
import type { ConversationSummary } from './inbox-port.js';

function line(id: string, ...people: string[]): ConversationSummary {
  return {
    id,
    conversation_type: 'direct',
    subject: id,
    is_closed: false,
    last_message_at: null,
    message_count: 1,
    unread_count: 0,
    last_read_seq: 0,
    muted: false,
    other_participants: people.map((p) => {
      const [type = '', name = ''] = p.split(':');
      return { type, id: name, name };
    }),
    last_message: null,
    created_at: '2026-12-07T08:00:00.000Z',
  };
}

describe('groupByCounterpart', () => {
  it("puts a person's conversations together, where the newest one stands", () => {
    const groups = groupByCounterpart([
      line('a', 'clinician:dr.kim'),
      line('b', 'therapist:theo'),
      line('c', 'clinician:dr.kim'),
      line('d', 'user:uma', 'therapist:theo'),
      line('e', 'therapist:theo', 'user:uma'),
      line('f'),
    ]);
    expect(groups.map((g) => [g.key, g.conversations.map((c) => c.id)])).toEqual([
      ['clinician:dr.kim', ['a', 'c']],
      ['therapist:theo', ['b']],
      ['therapist:theo,user:uma', ['d', 'e']],
      ['self:f', ['f']],
    ]);
  });
});
