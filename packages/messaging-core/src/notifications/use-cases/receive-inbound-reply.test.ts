import { describe, expect, it } from 'vitest';
import { fakePng } from '../../conversations/testing/in-memory-media-inspector.js';
import type { RenderEmailInput } from '../../email/email-templates-core.js';
import { InMemoryWebhookReplayGuard } from '../../email/testing/in-memory-webhook-replay-guard.js';
import type { SendEmailInput } from '../../email/use-cases/send-email.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging } from '../../testing/in-memory-messaging.js';
import type { ReplyTokenSigner } from '../ports/reply-token-signer.js';
import { type InboundEmail, receiveInboundReply, replyAddress } from './receive-inbound-reply.js';

const DOMAIN = 'inbound.example.com';
const sam: Actor = { type: 'store', id: 'u-sam', tenantId: 's1' };
const ana: Actor = { type: 'customer', id: 'c-ana', tenantId: 's1' };

/** A keyed stand-in for HMAC (the adapter's own tests use the real one). */
const signer = (key: string): ReplyTokenSigner => ({
  sign(data) {
    const out = new Uint8Array(12);
    let h = 2166136261;
    for (const b of [...new TextEncoder().encode(key), ...data]) h = Math.imul(h ^ b, 16777619) >>> 0;
    for (let i = 0; i < out.length; i++) {
      h = Math.imul(h ^ i, 16777619) >>> 0;
      out[i] = h & 255;
    }
    return out;
  },
});

async function world() {
  const clock = new FixedClock(new Date('2026-12-07T10:00:00.000Z'));
  const m = createInMemoryMessaging({ clock, ids: new SequentialIds('id') });
  const at = clock.now();
  await m.directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertPlatformUser(
    { id: sam.id, name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' },
    at,
  );
  await m.directory.upsertCustomer(
    { id: ana.id, storeId: 's1', name: 'Ana', email: 'Ana@Mail.test', locale: 'fr' },
    at,
  );
  const { conversation } = await m.core.createConversation(sam, {
    conversationType: 'store_customer',
    subject: 'Order 42',
    participants: [{ type: ana.type, id: ana.id }],
    initialMessage: 'Your parcel left.',
  });
  const rendered: RenderEmailInput[] = [];
  const sent: SendEmailInput[] = [];
  const settings = { domain: DOMAIN, signer: signer('k1'), ttlMs: 90 * 86_400_000 };
  const deps = {
    domain: DOMAIN,
    signer: settings.signer,
    conversations: m.store.conversations,
    participants: m.store.participants,
    directory: m.directory,
    messaging: m.core,
    bounces: new InMemoryWebhookReplayGuard(),
    clock,
    renderEmail: async (input: RenderEmailInput) => {
      rendered.push(input);
      return {
        subject: `bounce ${input.variables.reason}`,
        html: '<p>bounce</p>',
        text: 'bounce',
        templateCode: input.code,
        language: input.language,
        source: 'platform' as const,
      };
    },
    sendEmail: async (input: SendEmailInput) => {
      sent.push(input);
      return { log: {} as never, error: null };
    },
  };
  const address = replyAddress(settings, ana, conversation.id, clock.now()) ?? '';
  const email = (over: Partial<InboundEmail> = {}): InboundEmail => ({
    dedupeKey: `mid:${Math.random()}`,
    from: 'ana@mail.test',
    recipients: [address],
    text: 'Thanks!',
    attachments: [],
    ...over,
  });
  const thread = async () =>
    [...(await m.core.listMessages(sam, conversation.id, { limit: 50 })).messages]
      .sort((a, b) => a.seq - b.seq)
      .filter((msg) => !msg.isSystemMessage)
      .map((msg) => [msg.sender.type, msg.content, msg.attachments.length]);
  return { m, clock, deps, conversation, address, email, thread, rendered, sent, settings };
}

describe('receiveInboundReply', () => {
  it('posts the reply as the addressee (From compared case-insensitively), once per dedupe key', async () => {
    const { deps, email, thread, sent } = await world();
    const reply = email({
      dedupeKey: 'mid:one',
      attachments: [{ filename: 'a.png', content: fakePng(4, 4) }],
    });
    const first = await receiveInboundReply(deps, reply);
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'sent', sender: { id: ana.id } });
    expect(await receiveInboundReply(deps, reply)).toMatchObject({ status: 'duplicate' });
    expect(await thread()).toEqual([
      ['store', 'Your parcel left.', 0],
      ['customer', 'Thanks!', 1],
    ]);
    expect(sent).toEqual([]);
  });

  it('bounces once per email, in the sender language, for each refusal', async () => {
    const { deps, email, thread, sent, rendered, address, conversation, m, clock, settings } = await world();
    const forged = `${address.slice(0, 8)}${address[8] === 'a' ? 'b' : 'a'}${address.slice(9)}`;
    const cases: [InboundEmail, string][] = [
      [email({ recipients: ['someone@elsewhere.test'] }), 'invalid_token'],
      [email({ recipients: [forged] }), 'invalid_token'],
      [
        email({
          recipients: [
            replyAddress({ ...settings, signer: signer('other') }, ana, conversation.id, clock.now()) ?? '',
          ],
        }),
        'invalid_token',
      ],
      [email({ from: 'mallory@evil.test' }), 'sender_refused'],
      [email({ text: '  ' }), 'empty_reply'],
      [
        email({ attachments: [{ filename: 'x.exe', content: new Uint8Array([0x4d, 0x5a, 1, 2]) }] }),
        'content_refused',
      ],
    ];
    for (const [reply, reason] of cases)
      expect(await receiveInboundReply(deps, reply)).toMatchObject({
        status: 'bounced',
        reason,
        bounceSent: true,
      });
    const again = cases[3]![0];
    expect(await receiveInboundReply(deps, again)).toMatchObject({ status: 'bounced', bounceSent: false });
    expect(sent.map((s) => [s.to.address, s.storeId, s.headers?.['Auto-Submitted']])).toEqual([
      ['ana@mail.test', null, 'auto-replied'],
      ['ana@mail.test', null, 'auto-replied'],
      ['ana@mail.test', null, 'auto-replied'],
      ['mallory@evil.test', null, 'auto-replied'],
      ['ana@mail.test', null, 'auto-replied'],
      ['ana@mail.test', null, 'auto-replied'],
    ]);
    expect(rendered.map((r) => r.language)).toEqual(['en', 'en', 'en', 'fr', 'fr', 'fr']);

    await m.core.closeConversation(sam, conversation.id);
    expect(await receiveInboundReply(deps, email())).toMatchObject({ reason: 'conversation_closed' });
    await m.core.reopenConversation(sam, conversation.id);
    clock.advance(91 * 86_400_000);
    expect(await receiveInboundReply(deps, email())).toMatchObject({ reason: 'expired_token' });
    expect(await thread()).toEqual([['store', 'Your parcel left.', 0]]);
  });
});
