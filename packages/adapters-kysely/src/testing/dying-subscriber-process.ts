// A process that dies halfway through an event batch, for `kysely-event-log.test.ts`:
// `tsx dying-subscriber-process.ts <url> <schema>`. It claims the email subscriber's cursor,
// enqueues the jobs of the first half of its batch in the dispatcher's transaction, then kills
// itself (SIGKILL: no rollback, no goodbye). The server aborts the transaction when the
// connection drops.
import {
  dispatchBatch,
  type EventSubscriber,
  emailNotificationSubscriber,
  type NotifyingRepositories,
} from '@parley/messaging-core';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { createDatabase } from '../database.js';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: dying-subscriber-process <url> <schema>');

const database = createDatabase({ kind: 'postgres', url, schema, poolSize: 2 });
const store = new KyselyMessagingStore({ db: database.db });
const email = emailNotificationSubscriber();
const dying: EventSubscriber<NotifyingRepositories> = {
  name: email.name,
  handle: async (events, tx) => {
    await email.handle(events.slice(0, Math.ceil(events.length / 2)), tx);
    process.stdout.write(`enqueued half of ${events.length}\n`);
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => {});
  },
};
await store.events.registerSubscribers([email.name]);
await dispatchBatch(store, dying, 10);
