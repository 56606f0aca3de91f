// Parley's core on in-memory adapters: no database, no server. Run: pnpm example
import { createMessagingCore } from '@parley/messaging-core';
import {
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';

export async function main(log: (line: string) => void = console.log) {
  const directory = new InMemoryMarketplaceDirectory();
  const core = createMessagingCore({
    store: new InMemoryMessagingStore(),
    directory,
    settings: new InMemorySettingsStore(),
  });
  const now = new Date();
  await directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, now);
  await directory.upsertPlatformUser(
    { id: 'sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
    now,
  );
  await directory.upsertCustomer(
    { id: 'ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'fr' },
    now,
  );

  const sam = { type: 'store', id: 'sam', tenantId: 'acme' };
  const ana = { type: 'customer', id: 'ana', tenantId: 'acme' };
  const conversation = await core.createConversation(sam, {
    conversationType: 'store_customer',
    subject: 'Your order #42',
    recipient: { type: 'customer', id: 'ana' },
    initialMessage: 'It ships today!',
  });
  await core.sendMessage(ana, { conversationId: conversation.conversation.id, content: 'Thank you!' });

  const badge = await core.getUnreadCount(sam);
  log(`"${conversation.conversation.subject}": Sam has ${badge.totalUnread} unread message(s)`);
  return badge.totalUnread;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
