import { describe, expect, it } from 'vitest';
import { DEFAULT_MODERATION_SETTINGS, type ModerationSettings } from '../model/moderation.js';
import type { ModerationRequest } from '../ports/content-moderator.js';
import { contactDetailsModerator, findContactDetails } from './contact-details-moderator.js';

const all = { emails: true, phones: true, links: true };
const kinds = (content: string) => findContactDetails(content, all).map((f) => f.kind);

function request(
  content: string,
  action: 'rewrite' | 'flag' | 'reject' | 'hold' = 'rewrite',
): ModerationRequest {
  const settings: ModerationSettings = {
    ...DEFAULT_MODERATION_SETTINGS,
    contactDetails: { enabled: true, action, ...all },
  };
  return {
    kind: 'send',
    tenantId: 's1',
    conversationId: 'c1',
    sender: { type: 'customer', id: 'u1' },
    content,
    settings,
    signal: new AbortController().signal,
  };
}

describe('findContactDetails', () => {
  it.each([
    ['write to ana.lopez@example.com please', ['email']],
    ['ana (at) example (dot) com', ['email']],
    ['call me on +33 6 12 34 56 78', ['phone']],
    ['call 06.12.34.56.78 tonight', ['phone']],
    ['(555) 123-4567 is my number', ['phone']],
    ['see https://shop.example.org/item?id=3', ['link']],
    ['or www.example.com', ['link']],
    ['my shop is bestdeals.shop/now', ['link']],
  ])('finds %j', (content, expected) => {
    expect(kinds(content)).toEqual(expected);
  });

  it.each([
    'It costs 1,299.00 EUR',
    'The price is 12 345.50',
    'Delivered on 2026-12-07 at 14:30',
    'Delivered on 07/12/2026',
    'Order #123456 shipped',
    'I need 3 of size 42',
    'Version 1.2.3 works',
    'e.g. this is fine, i.e. ok',
    'Meeting at 10.30 today',
  ])('finds nothing in %j', (content) => {
    expect(kinds(content)).toEqual([]);
  });

  it('honours the kinds switched off', () => {
    expect(
      findContactDetails('ana@example.com +33 6 12 34 56 78', { emails: false, phones: true, links: false }),
    ).toHaveLength(1);
  });
});

describe('contactDetailsModerator', () => {
  it('masks every match on rewrite', async () => {
    const verdict = await contactDetailsModerator.moderate(
      request('mail ana@example.com or call +33 6 12 34 56 78, thanks'),
    );
    expect(verdict).toEqual({
      action: 'rewrite',
      content: 'mail *** or call ***, thanks',
      reason: 'contact details (email, phone)',
    });
  });

  it('flags, holds or rejects with a reason naming what it found', async () => {
    expect(await contactDetailsModerator.moderate(request('www.example.com', 'flag'))).toEqual({
      action: 'flag',
      reason: 'contact details (link)',
    });
    expect((await contactDetailsModerator.moderate(request('www.example.com', 'reject'))).action).toBe(
      'reject',
    );
  });

  it('allows when disabled or nothing matches', async () => {
    const off = request('ana@example.com');
    expect(
      await contactDetailsModerator.moderate({
        ...off,
        settings: { ...off.settings, contactDetails: { ...off.settings.contactDetails, enabled: false } },
      }),
    ).toEqual({ action: 'allow' });
    expect(await contactDetailsModerator.moderate(request('Is it in stock for 19.99?'))).toEqual({
      action: 'allow',
    });
  });
});
