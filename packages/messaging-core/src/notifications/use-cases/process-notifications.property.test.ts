import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatchBatch } from '../../kernel/events/event-dispatcher.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { participantKey } from '../../kernel/model/participant-ref.js';
import {
  createInMemoryNotifications,
  type InMemoryNotifications,
} from '../../testing/in-memory-notifications.js';
import type { NotificationQueue } from '../ports/notification-queue.js';
import { emailNotificationSubscriber } from './email-notification-subscriber.js';

type Command =
  | { readonly kind: 'send'; readonly conversation: 0 | 1; readonly member: 0 | 1 }
  | { readonly kind: 'mute'; readonly conversation: 0 | 1; readonly member: 0 | 1; readonly muted: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'outage' }
  /** The email subscriber handles its backlog; `crash`: it dies after half a batch (rolled back). */
  | { readonly kind: 'dispatch'; readonly crash: boolean }
  | { readonly kind: 'run'; readonly worker: 0 | 1; readonly crash: Crash };

/**
 * How a run misbehaves: it dies right after its claim or right after sending, or it stalls past
 * its lease while rendering — the other worker then takes the group over and either finishes
 * (`stall`) or is inside the provider call when the stalled one wakes up (`stall_mid_send`).
 */
type Crash = 'none' | 'after_claim' | 'after_send' | 'stall' | 'stall_mid_send';
const LEASE_MS = 60_000;

const bit = fc.constantFrom<0 | 1>(0, 1);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), conversation: bit, member: bit }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mute' as const),
      conversation: bit,
      member: bit,
      muted: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 400_000 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'outage' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), crash: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('run' as const),
      worker: bit,
      crash: fc.constantFrom<Crash>('none', 'after_claim', 'after_send', 'stall', 'stall_mid_send'),
    }),
  },
);

interface Armed {
  mode: Crash;
  /** The worker whose process died in this run: every later call of it throws. */
  dead: string | null;
}

/**
 * Throws, once armed, right after a claim or right before the completion it guards; from then on
 * the dead worker's process makes no call at all.
 */
function crashingQueue(queue: NotificationQueue, armed: Armed): NotificationQueue {
  const alive = (workerId: string) => {
    if (armed.dead === workerId) throw new Error('worker crashed (process gone)');
  };
  const crash = (mode: 'after_claim' | 'after_send', workerId: string) => {
    if (armed.mode === mode) {
      armed.mode = 'none';
      armed.dead = workerId;
      throw new Error(`worker crashed (${mode})`);
    }
  };
  return {
    enqueue: (jobs) => queue.enqueue(jobs),
    claimDue: async (input) => {
      alive(input.workerId);
      const groups = await queue.claimDue(input);
      if (groups.length > 0) crash('after_claim', input.workerId);
      return groups;
    },
    renewLease: async (ids, input) => {
      alive(input.workerId);
      return queue.renewLease(ids, input);
    },
    complete: async (ids, input) => {
      alive(input.workerId);
      crash('after_send', input.workerId);
      return queue.complete(ids, input);
    },
    reschedule: async (ids, input) => {
      alive(input.workerId);
      return queue.reschedule(ids, input);
    },
    fail: async (ids, input) => {
      alive(input.workerId);
      return queue.fail(ids, input);
    },
    stats: (now: Date) => queue.stats(now),
  } satisfies NotificationQueue;
}

describe('notification pipeline (property)', () => {
  it('notifies every committed message exactly once per eligible recipient, whatever the crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { maxLength: 40 }), async (commands) => {
        const armed: Armed = { mode: 'none', dead: null };
        /** The successor's run while a stalled worker sleeps, awaited at the end of the command. */
        let successor: Promise<unknown> | null = null;
        const n: InMemoryNotifications = await createInMemoryNotifications({
          leaseMs: LEASE_MS,
          maxAttempts: 1_000,
          backoffBaseMs: 1_000,
          backoffMaxMs: 60_000,
          wrapQueue: (queue) => crashingQueue(queue, armed),
          wrapRenderEmail: (render) => async (input) => {
            const rendered = await render(input);
            const mode = armed.mode;
            if (mode !== 'stall' && mode !== 'stall_mid_send') return rendered;
            armed.mode = 'none';
            // Asleep past the lease: the other worker claims the group meanwhile.
            n.clock.advance(LEASE_MS + 1);
            if (mode === 'stall') {
              await n.run('successor');
              return rendered;
            }
            const transport = n.transports.platform;
            const send = transport.send.bind(transport);
            let entered: () => void = () => {};
            const inside = new Promise<void>((resolve) => {
              entered = resolve;
            });
            let release: () => void = () => {};
            const gate = new Promise<void>((resolve) => {
              release = resolve;
            });
            transport.send = async (email) => {
              transport.send = send;
              entered();
              await gate;
              return send(email);
            };
            successor = n.run('successor').finally(() => {
              transport.send = send;
            });
            // The successor may find nothing to send (e.g. still inside its window): then it never
            // enters the provider call, and the stalled worker simply wakes up after it.
            await Promise.race([inside, successor]);
            setTimeout(release, 0);
            return rendered;
          },
        });
        const storeCustomer = await n.core.createConversation(n.storeUser, {
          conversationType: 'store_customer',
          subject: 'Order 42',
          recipient: { type: 'customer', id: 'c-ana' },
        });
        const adminStore = await n.core.createConversation(n.admin, {
          conversationType: 'admin_store',
          subject: 'Payout',
          recipient: { type: 'store', id: 'u-sam' },
        });
        const conversations: [string, readonly [Actor, Actor]][] = [
          [storeCustomer.conversation.id, [n.storeUser, n.customer]],
          [adminStore.conversation.id, [n.admin, n.storeUser]],
        ];
        const muted = new Set<string>();
        /** `recipientKey|messageId` owed one notification. */
        const expected = new Set<string>();
        /**
         * Sends whose `message.sent` the email subscriber has not handled yet: who is owed an email
         * is decided when it does (the recipient's mute at that moment).
         */
        let undispatched: { conversationId: string; recipient: string; messageId: string }[] = [];
        const dispatched = () => {
          for (const send of undispatched)
            if (!muted.has(`${send.conversationId}|${send.recipient}`))
              expected.add(`${send.recipient}|${send.messageId}`);
          undispatched = [];
        };

        for (const command of commands) {
          if (command.kind === 'send') {
            const [conversationId, members] = conversations[command.conversation]!;
            const sender = members[command.member]!;
            const other = members[1 - command.member]!;
            const { message } = await n.core.sendMessage(sender, { conversationId, content: 'hi' });
            undispatched.push({ conversationId, recipient: participantKey(other), messageId: message.id });
          } else if (command.kind === 'mute') {
            const [conversationId, members] = conversations[command.conversation]!;
            const member = members[command.member]!;
            await n.core.updatePreferences(member, conversationId, { muted: command.muted });
            const key = `${conversationId}|${participantKey(member)}`;
            if (command.muted) muted.add(key);
            else muted.delete(key);
          } else if (command.kind === 'advance') {
            n.clock.advance(command.ms);
          } else if (command.kind === 'outage') {
            n.transports.platform.throttleNext();
          } else if (command.kind === 'dispatch') {
            if (command.crash) {
              // Enqueues the first half of its batch, then its process dies: nothing is kept.
              const real = emailNotificationSubscriber();
              const dying = {
                name: real.name,
                handle: async (
                  events: Parameters<typeof real.handle>[0],
                  tx: Parameters<typeof real.handle>[1],
                ) => {
                  await real.handle(events.slice(0, Math.ceil(events.length / 2)), tx);
                  throw new Error('subscriber crashed mid-batch');
                },
              };
              await n.dispatcher.register();
              const outcome = await dispatchBatch(n.store, dying, 10).catch((error: Error) => error.message);
              if (outcome !== 'subscriber crashed mid-batch') {
                // Nothing to deliver: the handler never ran.
                expect(outcome).toMatchObject({ status: 'idle' });
              }
            } else {
              await n.dispatcher.drain();
              dispatched();
            }
          } else {
            dispatched(); // every run starts by draining the dispatcher
            armed.mode = command.crash;
            await n.run(`worker-${command.worker}`).catch((error: unknown) => {
              if (!(error instanceof Error) || !error.message.startsWith('worker crashed')) throw error;
            });
            await successor;
            successor = null;
            armed.mode = 'none';
            armed.dead = null;
          }
        }

        dispatched();
        // Leases expire, windows and backoffs pass, and workers run to completion.
        for (let round = 0; round < 20; round += 1) {
          n.clock.advance(10 * 60_000);
          await n.run('finisher');
        }

        const delivered: string[] = [];
        for (const email of n.transports.platform.sent) {
          const log = await n.emailLogs.findById(email.metadata?.email_log_id ?? '');
          const recipientType = String(log?.extraData.recipient_type);
          const messageIds = (log?.extraData.message_ids ?? []) as string[];
          for (const messageId of messageIds) delivered.push(`${recipientType}:${log?.userId}|${messageId}`);
        }
        expect([...delivered].sort()).toEqual([...expected].sort());
      }),
      {
        numRuns: 500,
        examples: [
          // A claim leased m1's job and died; m2's job was sent alone and that worker died before
          // completing; the take-over must not email m2 again.
          [
            [
              { kind: 'send', conversation: 0, member: 1 },
              { kind: 'run', worker: 0, crash: 'after_claim' },
              { kind: 'send', conversation: 0, member: 1 },
              { kind: 'run', worker: 0, crash: 'after_send' },
            ],
          ],
          // A worker stalls past its lease while the successor is inside the provider call with
          // the same email: the stalled one must not send it a second time.
          [
            [
              { kind: 'send', conversation: 0, member: 0 },
              { kind: 'run', worker: 0, crash: 'stall_mid_send' },
            ],
          ],
          [
            [
              { kind: 'send', conversation: 1, member: 1 },
              { kind: 'outage' },
              { kind: 'run', worker: 1, crash: 'stall' },
              { kind: 'send', conversation: 1, member: 1 },
              { kind: 'run', worker: 0, crash: 'stall_mid_send' },
            ],
          ],
        ],
      },
    );
  }, 120_000);
});
