// A notification worker in a process of its own, for the two-process test
// (`kysely-notification-queue.processes.test.ts`): `tsx notification-worker-process.ts <url> <schema> <workerId>`.
// Runs an event dispatcher (the email subscriber turns `message.sent` into jobs) and
// `processNotifications` on PostgreSQL until both stay idle, then prints, as one JSON line, every
// email its (in-memory) transport sent and how many events its dispatcher delivered.
import {
  createEmailCore,
  createEmailTemplatesCore,
  createEventDispatcher,
  emailNotificationSubscriber,
  marketplacePolicy,
  processNotifications,
} from '@parley/messaging-core';
import {
  BranchingTemplateRenderer,
  InMemoryMailTransportFactory,
  InMemoryOutboundAddressGuard,
  ReversibleSecretCipher,
} from '@parley/messaging-core/testing';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { createDatabase } from '../database.js';
import { KyselyEmailLogRepository } from '../email/kysely-email-log-repository.js';
import { KyselyEmailTemplateRepository } from '../email/kysely-email-template-repository.js';
import { KyselyStoreEmailSettingsRepository } from '../email/kysely-store-email-settings-repository.js';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
import { KyselyNotificationQueue } from '../notifications/kysely-notification-queue.js';

const [url, schema, workerId] = process.argv.slice(2);
if (!url || !schema || !workerId)
  throw new Error('usage: notification-worker-process <url> <schema> <workerId>');

const database = createDatabase({ kind: 'postgres', url, schema, poolSize: 4 });
const { db } = database;
const store = new KyselyMessagingStore({ db });
const directory = new KyselyMarketplaceDirectory({ db });
const emailLogs = new KyselyEmailLogRepository({ db });
const transports = new InMemoryMailTransportFactory();
const email = createEmailCore({
  directory,
  emailSettings: new KyselyStoreEmailSettingsRepository({ db }),
  emailLogs,
  cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
  transports,
  outboundGuard: new InMemoryOutboundAddressGuard(),
  platformFrom: { address: 'no-reply@parley.test' },
});
const templates = createEmailTemplatesCore({
  templates: new KyselyEmailTemplateRepository({ db }),
  renderer: new BranchingTemplateRenderer(),
});
const dispatcher = createEventDispatcher({
  store,
  subscribers: [emailNotificationSubscriber()],
  batchSize: 5,
  maxBatchesPerRound: 1,
});
let dispatched = 0;
try {
  // Phase 1: both processes dispatch, in small batches, until the email subscriber has caught up
  // (so every job exists before any email goes out, and the batching window folds nothing).
  for (;;) {
    const round = await dispatcher.runRound();
    dispatched += round.delivered;
    const cursor = await store.events.loadCursor(emailNotificationSubscriber().name);
    const tail = cursor === null ? null : await store.events.read(cursor, 1);
    if (tail !== null && tail.events.length === 0 && !tail.more) break;
    if (round.delivered === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let idle = 0;
  while (idle < 3) {
    const round = await dispatcher.runRound();
    dispatched += round.delivered;
    const { groups } = await processNotifications(
      {
        queue: new KyselyNotificationQueue(db),
        conversations: store.conversations,
        messages: store.messages,
        directory,
        emailLogs,
        renderEmail: (input) => templates.renderEmail(input),
        sendEmail: (input) => email.sendEmail(input),
        publicUrl: 'https://parley.test',
        policy: marketplacePolicy,
      },
      { workerId, now: new Date(), limit: 2 },
    );
    idle = groups.length === 0 && round.delivered === 0 && !round.more ? idle + 1 : 0;
    if (idle > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const sent = transports.platform.sent.map((mail) => ({
    to: mail.to.map((address) => address.address),
    emailLogId: mail.metadata?.email_log_id ?? null,
  }));
  process.stdout.write(`${JSON.stringify({ workerId, sent, dispatched })}\n`);
} finally {
  await database.destroy();
}
