import type { ConversationSummary } from './inbox-port.js';

/** A counterpart's conversations, newest activity first: one entry of a list grouped by person. */
export interface CounterpartGroup {
  /** The counterpart(s) as `type:id`, sorted and joined: the group's identity. */
  readonly key: string;
  readonly conversations: readonly ConversationSummary[];
}

/**
 * The list grouped by counterpart (the care-team's inbox: one row per person), in the order the
 * list has them: a group stands where its newest conversation stands. Pure.
 *
 * @example
 * ```ts
 * groupByCounterpart([withKim, withTheo, olderWithKim]).map((g) => g.conversations.length); // [2, 1]
 * ```
 */
export function groupByCounterpart(conversations: readonly ConversationSummary[]): CounterpartGroup[] {
  const groups = new Map<string, ConversationSummary[]>();
  for (const conversation of conversations) {
    const key =
      conversation.other_participants
        .map((p) => `${p.type}:${p.id}`)
        .sort()
        .join(',') || `self:${conversation.id}`;
    const group = groups.get(key);
    if (group) group.push(conversation);
    else groups.set(key, [conversation]);
  }
  return [...groups].map(([key, list]) => ({ key, conversations: list }));
}
