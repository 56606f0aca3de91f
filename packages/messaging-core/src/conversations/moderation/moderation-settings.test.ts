import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import {
  DEFAULT_MODERATION_SETTINGS,
  hiddenByModeration,
  MAX_MODERATION_TERMS,
  moderationDefaultsFor,
} from '../model/moderation.js';
import { mergeModerationSettings } from '../use-cases/review-messages.js';

describe('moderation settings as data', () => {
  it('gives each preset its defaults, and the general ones to others', () => {
    expect(moderationDefaultsFor('marketplace').contactDetails).toMatchObject({
      enabled: true,
      action: 'rewrite',
    });
    expect(moderationDefaultsFor('care-team')).toMatchObject({
      wordList: { action: 'hold' },
      contactDetails: { enabled: false },
    });
    expect(moderationDefaultsFor('community').contactDetails).toMatchObject({
      enabled: true,
      action: 'flag',
      links: true,
      emails: false,
    });
    expect(moderationDefaultsFor('school')).toBe(DEFAULT_MODERATION_SETTINGS);
  });

  it('hides held and rejected messages only', () => {
    expect(hiddenByModeration({ state: 'held', reason: null })).toBe(true);
    expect(hiddenByModeration({ state: 'rejected', reason: 'x' })).toBe(true);
    expect(hiddenByModeration({ state: 'flagged', reason: 'x' })).toBe(false);
    expect(hiddenByModeration({ state: 'approved', reason: null })).toBe(false);
    expect(hiddenByModeration(null)).toBe(false);
    expect(hiddenByModeration(undefined)).toBe(false);
  });

  it('merges a partial update, naming the field at fault', () => {
    const merged = mergeModerationSettings(DEFAULT_MODERATION_SETTINGS, {
      contact_details: { enabled: true, phones: false },
    });
    expect(merged.contactDetails).toEqual({
      enabled: true,
      action: 'flag',
      emails: true,
      phones: false,
      links: true,
    });
    expect(merged.wordList).toEqual(DEFAULT_MODERATION_SETTINGS.wordList);
    const field = (input: unknown) => {
      try {
        mergeModerationSettings(DEFAULT_MODERATION_SETTINGS, input);
        return null;
      } catch (error) {
        return isMessagingError(error) ? error.field : 'not a MessagingError';
      }
    };
    expect(
      field({
        word_list: { added_terms: Array.from({ length: MAX_MODERATION_TERMS + 1 }, (_, i) => `w${i}`) },
      }),
    ).toBe('word_list.added_terms');
    expect(field({ word_list: { allowed_terms: [' '] } })).toBe('word_list.allowed_terms');
    expect(field({ word_list: { enabled: 'yes' } })).toBe('word_list.enabled');
    expect(field({ contact_details: [] })).toBe('contact_details');
    expect(field({ other: 1 })).toBe('other');
    expect(field('nope')).toBe('body');
  });
});
