import { participantKey, sameParticipant } from '../../kernel/model/participant-ref.js';
import { type ConversationParticipant, effectiveDeliveredSeq } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import type { ReceiptTime } from '../ports/participant-repository.js';
import type { CoreContext } from './context.js';
import { type MessageReceipts, noReceiptsYet, RECEIPT_LIST_MAX_MEMBERS, type ReceiptView } from './views.js';

/**
 * The receipts (`MessageReceipts`) of a page of messages, keyed by message id, from the
 * conversation's active `members` as just loaded, with at most one read (`receiptTimes`, for all
 * the page's messages and members at once; none in a conversation of more than
 * `RECEIPT_LIST_MAX_MEMBERS` active members, whose counts come from the memberships alone, nor
 * when nobody else has received anything on the page).
 *
 * A member counts for a message when they are not its sender, see it (`visibleFromSeq`) and their
 * state covers its seq: read when `lastReadSeq` ≥ seq; delivered when `effectiveDeliveredSeq` ≥
 * seq (reading counts as delivery). "Since when" is the first read / delivery advance reaching the
 * seq; a delivery is never later than the read; without an advance (read by sending or by
 * joining) it falls back to `lastReadAt` / `lastDeliveredAt`, then to `joinedAt`.
 *
 * @example
 * ```ts
 * const receipts = await receiptsFor(ctx, conversationId, participants, page.messages);
 * receipts.get(message.id)?.deliveredTo; // [{ ref: bob, at }] once Bob's client acknowledged it
 * ```
 */
export async function receiptsFor(
  ctx: CoreContext,
  conversationId: string,
  members: readonly ConversationParticipant[],
  messages: readonly Message[],
): Promise<Map<string, MessageReceipts>> {
  const active = members.filter((m) => m.leftAt === null);
  const result = new Map<string, MessageReceipts>();
  const listed = active.length <= RECEIPT_LIST_MAX_MEMBERS;
  const reached = (message: Message) =>
    active.filter(
      (m) =>
        !sameParticipant(m.participant, message.sender) &&
        m.visibleFromSeq <= message.seq &&
        effectiveDeliveredSeq(m) >= message.seq,
    );
  if (!listed) {
    for (const message of messages) {
      const delivered = reached(message);
      result.set(message.id, {
        readBy: null,
        deliveredTo: null,
        readCount: delivered.filter((m) => m.lastReadSeq >= message.seq).length,
        deliveredCount: delivered.length,
      });
    }
    return result;
  }
  const byMessage = messages.map((message) => ({ message, delivered: reached(message) }));
  const wanted = new Map<string, ConversationParticipant>();
  const seqs = new Set<number>();
  for (const { message, delivered } of byMessage) {
    for (const m of delivered) wanted.set(participantKey(m.participant), m);
    if (delivered.length > 0) seqs.add(message.seq);
  }
  if (seqs.size === 0) {
    for (const message of messages) result.set(message.id, noReceiptsYet(active.length));
    return result;
  }
  const times = await ctx.store.participants.receiptTimes(
    conversationId,
    [...wanted.values()].map((m) => m.participant),
    [...seqs],
  );
  for (const { message, delivered } of byMessage) {
    const readBy: ReceiptView[] = [];
    const deliveredTo: ReceiptView[] = [];
    for (const member of delivered) {
      const time: ReceiptTime | undefined = times.get(participantKey(member.participant))?.get(message.seq);
      const readAt =
        member.lastReadSeq >= message.seq ? (time?.readAt ?? member.lastReadAt ?? member.joinedAt) : null;
      const deliveredAt =
        earliest(time?.deliveredAt ?? null, readAt) ?? member.lastDeliveredAt ?? member.joinedAt;
      if (readAt !== null) readBy.push({ ref: member.participant, at: readAt });
      deliveredTo.push({ ref: member.participant, at: deliveredAt });
    }
    readBy.sort(byTime);
    deliveredTo.sort(byTime);
    result.set(message.id, {
      readBy,
      deliveredTo,
      readCount: readBy.length,
      deliveredCount: deliveredTo.length,
    });
  }
  return result;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** Earliest first; the same time in participant order, so answers are stable. */
function byTime(a: ReceiptView, b: ReceiptView): number {
  const ka = participantKey(a.ref);
  const kb = participantKey(b.ref);
  return a.at.getTime() - b.at.getTime() || (ka < kb ? -1 : ka > kb ? 1 : 0);
}
