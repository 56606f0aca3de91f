import type { Message } from './inbox-port.js';

/** A message the server has. */
export interface SentItem {
  readonly kind: 'sent';
  readonly key: string;
  readonly message: Message;
}

/** A message typed here and not yet confirmed by the server: sending, or failed (retry offered). */
export interface PendingItem {
  readonly kind: 'pending';
  /** Chosen here; the item's key until the server's message replaces it. */
  readonly clientId: string;
  readonly key: string;
  /** Sent with every attempt of this message, so a retry after a lost answer never sends twice. */
  readonly idempotencyKey: string;
  readonly content: string;
  readonly files: readonly File[];
  readonly createdAt: string;
  readonly status: 'sending' | 'failed';
  /** How much of its files has uploaded (0 to 1); absent without files. */
  readonly progress?: number;
}

/** What a thread shows, oldest first: the server's messages by `seq`, then pending ones. */
export type ThreadItem = SentItem | PendingItem;

function sent(message: Message): SentItem {
  return { kind: 'sent', key: message.id, message };
}

/**
 * The thread with `incoming` messages merged in: one item per message id (a newer copy, e.g. the
 * deleted form, replaces an older one), server messages ordered by `seq`, pending items kept last
 * in the order they were typed. Pure.
 */
export function mergeMessages(items: readonly ThreadItem[], incoming: readonly Message[]): ThreadItem[] {
  const byId = new Map<string, Message>();
  const pending: PendingItem[] = [];
  for (const item of items) {
    if (item.kind === 'sent') byId.set(item.message.id, item.message);
    else pending.push(item);
  }
  for (const message of incoming) byId.set(message.id, message);
  const messages = [...byId.values()].sort((a, b) => a.seq - b.seq);
  return [...messages.map(sent), ...pending];
}

/** The thread with a new pending item at its end. Pure. */
export function addPending(items: readonly ThreadItem[], item: PendingItem): ThreadItem[] {
  return [...items, item];
}

/**
 * The thread once the server confirmed a pending item: the item leaves and the message takes its
 * place by `seq` — once, even when the live feed delivered the same message first. Pure.
 */
export function confirmPending(
  items: readonly ThreadItem[],
  clientId: string,
  message: Message,
): ThreadItem[] {
  const rest = items.filter((item) => !(item.kind === 'pending' && item.clientId === clientId));
  return mergeMessages(rest, [message]);
}

/** The thread with a pending item marked sending or failed. Pure. */
export function setPendingStatus(
  items: readonly ThreadItem[],
  clientId: string,
  status: PendingItem['status'],
): ThreadItem[] {
  return items.map((item) =>
    item.kind === 'pending' && item.clientId === clientId ? { ...item, status } : item,
  );
}

/** The highest `seq` the thread holds from the server, 0 when none. Pure. */
export function latestSeq(items: readonly ThreadItem[]): number {
  let seq = 0;
  for (const item of items) if (item.kind === 'sent' && item.message.seq > seq) seq = item.message.seq;
  return seq;
}

/** The calendar day (local time) a timestamp falls on, as `YYYY-MM-DD`: where date separators go. */
export function dayOf(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
