import { describe, expect, it } from 'vitest';
import type { ContentModerator } from '../conversations/ports/content-moderator.js';
import { InMemoryModerationSettingsRepository } from '../conversations/testing/in-memory-moderation-settings-repository.js';
import { type EventPosition, LOG_START } from '../kernel/model/event-envelope.js';
import { type Actor, participantKey } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging } from '../testing/in-memory-messaging.js';
import { createLiveFeed } from './create-live-feed.js';
import type { LiveDelivery } from './live-feed.js';
import { inMemoryLiveAudience } from './testing/in-memory-live-audience.js';

// Moderation in the live feed (issue 14): a held message reaches nobody but its sender's tabs,
// flags and rejections nobody, and an approved held message reaches its recipients as a send.

const ADMIN: Actor = { type: 'admin', id: 'u-admin', tenantId: null };
const SAM: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const ANA: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };

const holdBad: ContentModerator = {
  name: 'test_hold',
  async moderate({ content }) {
    if (content.includes('bad')) return { action: 'hold', reason: 'r' };
    if (content.includes('odd')) return { action: 'flag', reason: 'f' };
    return { action: 'allow' };
  },
};

describe('moderation in the live feed', () => {
  it('holds from recipients, then delivers the approved message as message.sent', async () => {
    const clock = new FixedClock(new Date('2026-05-01T09:00:00.000Z'), { autoAdvanceMs: 1000 });
    const m = createInMemoryMessaging({
      clock,
      ids: new SequentialIds('id'),
      moderation: {
        moderators: [{ moderator: holdBad, timeoutMs: 100, onFailure: 'fail_open' }],
        settings: new InMemoryModerationSettingsRepository(),
      },
    });
    const at = clock.now();
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertPlatformUser(
      { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'en' },
      at,
    );
    const { conversation } = await m.core.createConversation(SAM, {
      conversationType: 'store_customer',
      subject: 'Order',
      recipient: { type: 'customer', id: 'c-ana' },
    });
    const feed = createLiveFeed({ store: m.store, directory: m.directory, policy: m.core.policy, clock });
    const audience = inMemoryLiveAudience([SAM, ANA, ADMIN]);
    let position: EventPosition = LOG_START;
    const next = async (): Promise<readonly LiveDelivery[]> => {
      const batch = await feed.next(position, audience, 500);
      position = batch.position;
      return batch.deliveries;
    };
    const seen = (deliveries: readonly LiveDelivery[], who: Actor) =>
      deliveries
        .filter((d) => participantKey(d.viewer) === participantKey(who))
        .map((d) => `${d.event.type}:${d.view.kind}`);
    await next();

    const held = await m.core.sendMessage(ANA, { conversationId: conversation.id, content: 'bad words' });
    await m.core.sendMessage(ANA, { conversationId: conversation.id, content: 'odd link' });
    const first = await next();
    expect(seen(first, SAM)).toEqual(['message.sent:message.sent']);
    expect(seen(first, ANA)).toEqual(['message.held:generic', 'message.sent:message.sent']);
    expect(seen(first, ADMIN)).toEqual([]);

    await m.core.reviewMessage(ADMIN, { messageId: held.message.id, decision: 'approved' });
    const second = await next();
    expect(seen(second, SAM)).toEqual(['message.approved:message.sent']);
    const delivered = second.find((d) => participantKey(d.viewer) === participantKey(SAM));
    expect(delivered?.view.kind === 'message.sent' && delivered.view.message.id).toBe(held.message.id);
  });
});
