import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/**
 * What a content moderator answers about one message or edit:
 * - `allow`: store it as it is;
 * - `reject`: store nothing; the sender is told `reason` (`MESSAGE_REJECTED`);
 * - `flag`: store and deliver it, and queue it for review;
 * - `hold`: store it but deliver it to nobody but its sender until a reviewer approves it;
 * - `rewrite`: go on with `content` instead (e.g. masked contact details); a `then` of `flag` or
 *   `hold` also queues the rewritten message.
 */
export type ModerationVerdict =
  | { readonly action: 'allow' }
  | { readonly action: 'reject'; readonly reason: string }
  | { readonly action: 'flag'; readonly reason: string }
  | { readonly action: 'hold'; readonly reason: string }
  | {
      readonly action: 'rewrite';
      readonly content: string;
      readonly reason: string;
    };

export type ModerationAction = ModerationVerdict['action'];

/**
 * Where a message stands in moderation: `flagged` (delivered, waiting for review), `held` (not
 * delivered, waiting for review), `approved` (a reviewer let it through), `rejected` (a reviewer
 * refused it: nobody but its sender sees it). Messages never moderated have none.
 */
export const MODERATION_STATES = ['flagged', 'held', 'approved', 'rejected'] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];

/** A message's moderation: its state, why, and (once reviewed) who decided when. */
export interface MessageModeration {
  readonly state: ModerationState;
  /** The moderator's reason (flag, hold) or the reviewer's (reject). */
  readonly reason: string | null;
  readonly reviewedBy?: ParticipantRef | null;
  readonly reviewedAt?: Date | null;
}

/** True when only the sender (and reviewers) may see a message in this moderation state. */
export function hiddenByModeration(moderation: MessageModeration | null | undefined): boolean {
  return moderation?.state === 'held' || moderation?.state === 'rejected';
}

/** What a built-in moderator does with a match. `rewrite` masks the match (`***`). */
export type ModerationMatchAction = 'reject' | 'flag' | 'hold' | 'rewrite';
export const MODERATION_MATCH_ACTIONS: readonly ModerationMatchAction[] = [
  'reject',
  'flag',
  'hold',
  'rewrite',
];

/** The word list (profanity) moderator of one tenant. */
export interface WordListSettings {
  readonly enabled: boolean;
  readonly action: ModerationMatchAction;
  /** Extra words or phrases the tenant refuses (matched on word boundaries, case-insensitively). */
  readonly addedTerms: readonly string[];
  /** Words the built-in list would match that the tenant allows (e.g. a place name). */
  readonly allowedTerms: readonly string[];
}

/** The contact-details moderator of one tenant: what it looks for and what it does on a match. */
export interface ContactDetailsSettings {
  readonly enabled: boolean;
  readonly action: ModerationMatchAction;
  readonly emails: boolean;
  readonly phones: boolean;
  readonly links: boolean;
}

/** A tenant's moderation configuration (per preset defaults, then the tenant's own). */
export interface ModerationSettings {
  readonly wordList: WordListSettings;
  readonly contactDetails: ContactDetailsSettings;
}

/** The most terms a tenant may add or allow, and their length: they are matched on every send. */
export const MAX_MODERATION_TERMS = 500;
export const MAX_MODERATION_TERM_LENGTH = 100;

const OFF_CONTACTS: ContactDetailsSettings = {
  enabled: false,
  action: 'flag',
  emails: true,
  phones: true,
  links: true,
};

/** Without a preset entry: profanity masked, contact details allowed. */
export const DEFAULT_MODERATION_SETTINGS: ModerationSettings = {
  wordList: { enabled: true, action: 'rewrite', addedTerms: [], allowedTerms: [] },
  contactDetails: OFF_CONTACTS,
};

/**
 * Each preset's defaults, as data. The marketplace masks contact details (buyers and sellers who
 * move off the platform cost it the sale) and masks profanity; care-team holds profanity for
 * review (a patient's message should reach a person, not be altered) and leaves contact details
 * alone (clinicians share phone numbers); community masks profanity and flags links.
 */
export const PRESET_MODERATION_DEFAULTS: Readonly<Record<string, ModerationSettings>> = {
  marketplace: {
    wordList: { enabled: true, action: 'rewrite', addedTerms: [], allowedTerms: [] },
    contactDetails: { enabled: true, action: 'rewrite', emails: true, phones: true, links: true },
  },
  'care-team': {
    wordList: { enabled: true, action: 'hold', addedTerms: [], allowedTerms: [] },
    contactDetails: OFF_CONTACTS,
  },
  community: {
    wordList: { enabled: true, action: 'rewrite', addedTerms: [], allowedTerms: [] },
    contactDetails: { enabled: true, action: 'flag', emails: false, phones: false, links: true },
  },
};

/** The defaults of a preset (by its policy name), or the general ones. */
export function moderationDefaultsFor(presetName: string): ModerationSettings {
  return PRESET_MODERATION_DEFAULTS[presetName] ?? DEFAULT_MODERATION_SETTINGS;
}
