import { DEFAULT_MODERATION_SETTINGS, type WordListSettings } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { ObscenityWordListModerator } from './obscenity-word-list-moderator.js';

const moderator = new ObscenityWordListModerator();

function ask(content: string, wordList: Partial<WordListSettings> = {}) {
  return moderator.moderate({
    content,
    settings: {
      ...DEFAULT_MODERATION_SETTINGS,
      wordList: { ...DEFAULT_MODERATION_SETTINGS.wordList, ...wordList },
    },
  });
}

describe('ObscenityWordListModerator', () => {
  it('masks profanity on rewrite, leaving the rest', async () => {
    const verdict = await ask('what the fuck is this');
    expect(verdict.action).toBe('rewrite');
    expect(verdict).toMatchObject({ content: 'what the **** is this', reason: 'inappropriate language' });
  });

  it('matches on word boundaries: no false positives inside ordinary words', async () => {
    for (const clean of [
      'I took a class in Scunthorpe',
      'The assistant passed the assessment',
      'Hello there',
    ])
      expect(await ask(clean)).toEqual({ action: 'allow' });
  });

  it('rejects, flags or holds per the configured action', async () => {
    expect(await ask('fuck', { action: 'reject' })).toEqual({
      action: 'reject',
      reason: 'inappropriate language',
    });
    expect((await ask('fuck', { action: 'hold' })).action).toBe('hold');
  });

  it("adds a tenant's terms, on word boundaries", async () => {
    expect(await ask('this is a knockoff bag', { addedTerms: ['knockoff'], action: 'flag' })).toEqual({
      action: 'flag',
      reason: 'inappropriate language',
    });
    expect(await ask('knockoffs and knockoffish', { addedTerms: ['knockoff'], action: 'flag' })).toEqual({
      action: 'allow',
    });
    // Pattern syntax in a term is taken literally.
    expect((await ask('pay via cash|app now', { addedTerms: ['cash|app'], action: 'flag' })).action).toBe(
      'flag',
    );
    expect((await ask('pay via cash now', { addedTerms: ['cash|app'], action: 'flag' })).action).toBe(
      'allow',
    );
  });

  it("allows a tenant's allowed terms", async () => {
    expect((await ask('you are such a bitch')).action).toBe('rewrite');
    expect(await ask('you are such a bitch', { allowedTerms: ['bitch'] })).toEqual({ action: 'allow' });
    // Another tenant's configuration is not affected (matchers are per configuration).
    expect((await ask('you are such a bitch')).action).toBe('rewrite');
  });

  it('does nothing when disabled', async () => {
    expect(await ask('fuck', { enabled: false })).toEqual({ action: 'allow' });
  });
});
