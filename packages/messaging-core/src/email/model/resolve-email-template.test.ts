import { describe, expect, it } from 'vitest';
import type { EmailTemplate, StoreEmailTemplate } from './email-template.js';
import { missingVariables, resolveEmailTemplate } from './resolve-email-template.js';

const at = new Date('2026-01-01T00:00:00Z');
const platform = (language: string, extra: Partial<EmailTemplate> = {}): EmailTemplate => ({
  code: 'new_message',
  language,
  name: 'New message',
  description: '',
  category: 'system',
  subject: `platform ${language}`,
  bodyHtml: `<p>platform ${language}</p>`,
  bodyText: null,
  variables: [],
  requiredVariables: [],
  isActive: true,
  isPlatformOnly: false,
  createdAt: at,
  updatedAt: at,
  ...extra,
});
const store = (language: string, extra: Partial<StoreEmailTemplate> = {}): StoreEmailTemplate => ({
  storeId: 'acme',
  code: 'new_message',
  language,
  subject: `store ${language}`,
  bodyHtml: `<p>store ${language}</p>`,
  bodyText: null,
  isActive: true,
  createdAt: at,
  updatedAt: at,
  ...extra,
});

// [case, recipient language, platform templates, store overrides, expected subject (null: none)]
const TABLE: [string, string, EmailTemplate[], StoreEmailTemplate[], string | null][] = [
  [
    'override in the language wins',
    'fr',
    [platform('en'), platform('fr')],
    [store('fr'), store('en')],
    'store fr',
  ],
  [
    'platform in the language before the en override',
    'fr',
    [platform('en'), platform('fr')],
    [store('en')],
    'platform fr',
  ],
  [
    'en override when the language has no template',
    'de',
    [platform('en'), platform('fr')],
    [store('en')],
    'store en',
  ],
  ['platform en last', 'de', [platform('en'), platform('fr')], [], 'platform en'],
  ['no store: platform in the language', 'fr', [platform('en'), platform('fr')], [], 'platform fr'],
  [
    'inactive override skipped',
    'fr',
    [platform('en'), platform('fr')],
    [store('fr', { isActive: false })],
    'platform fr',
  ],
  [
    'inactive platform skipped, falls to en override',
    'fr',
    [platform('en'), platform('fr', { isActive: false })],
    [store('en')],
    'store en',
  ],
  [
    'active override beside an inactive platform template is used',
    'fr',
    [platform('en'), platform('fr', { isActive: false })],
    [store('fr')],
    'store fr',
  ],
  [
    'platform-only ignores every override',
    'fr',
    [platform('en', { isPlatformOnly: true }), platform('fr', { isPlatformOnly: true })],
    [store('fr'), store('en')],
    'platform fr',
  ],
  [
    'platform-only on one language applies to the code',
    'de',
    [platform('en'), platform('fr', { isPlatformOnly: true })],
    [store('en')],
    'platform en',
  ],
  [
    'override without a platform template of its language is ignored',
    'it',
    [platform('en')],
    [store('it')],
    'platform en',
  ],
  [
    'everything inactive: nothing',
    'fr',
    [platform('en', { isActive: false })],
    [store('en', { isActive: false })],
    null,
  ],
  ['unknown code: nothing', 'fr', [], [store('fr')], null],
  ['en recipient', 'en', [platform('en'), platform('fr')], [store('fr')], 'platform en'],
];

describe('resolveEmailTemplate', () => {
  it.each(TABLE)('%s', (_, language, templates, overrides, expected) => {
    const resolved = resolveEmailTemplate({ language, platform: templates, overrides });
    expect(resolved?.subject ?? null).toBe(expected);
    if (resolved !== null) {
      expect(resolved.language).toBe(expected?.split(' ')[1]);
      expect(resolved.template.language).toBe(resolved.language);
      expect(resolved.override === null).toBe(expected?.startsWith('platform'));
    }
  });
});

describe('missingVariables', () => {
  it('names absent, null and empty required variables, in order', () => {
    expect(missingVariables(['a', 'b', 'c', 'd', 'e'], { a: 'x', b: null, c: '', e: 0 })).toEqual([
      'b',
      'c',
      'd',
    ]);
    expect(missingVariables(['toString'], {})).toEqual(['toString']);
  });
});
