import type { EventLog } from '../../conversations/ports/event-log.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type {
  ErasureOutcome,
  PersonalAttachmentRecord,
  PersonalBlockRecord,
  PersonalDataPage,
  PersonalDirectoryRecord,
  PersonalEmailLogRecord,
  PersonalHiddenMessageRecord,
  PersonalMembershipRecord,
  PersonalMessageRecord,
  PersonalReceiptRecord,
} from '../model/personal-data.js';

/**
 * Everything Parley holds about one person, across contexts (directory, conversations, email
 * logs), read for an export and erased for a GDPR erasure. A person is a `ParticipantRef`;
 * whichever directory the preset uses (marketplace or people) is read and anonymised.
 *
 * Lists are in id order; paged ones use `PersonalDataPage` (keyset on the id), so an export of
 * a person with a million messages reads them a page at a time.
 */
export interface PersonalDataRepository {
  /** Their directory entry (anonymised after an erasure), or null. */
  directoryEntry(person: ParticipantRef): Promise<PersonalDirectoryRecord | null>;
  /** Whether Parley holds anything about them: a directory entry, a membership or a message. */
  holdsAny(person: ParticipantRef): Promise<boolean>;
  /** Their memberships, left ones included, ordered by conversation id. */
  memberships(person: ParticipantRef): Promise<readonly PersonalMembershipRecord[]>;
  /** Messages they sent (deleted ones included; not system messages), each with its revisions. */
  sentMessages(person: ParticipantRef, page: PersonalDataPage): Promise<readonly PersonalMessageRecord[]>;
  /** The attachments of the messages they sent. */
  attachments(person: ParticipantRef, page: PersonalDataPage): Promise<readonly PersonalAttachmentRecord[]>;
  /**
   * Emails sent to them: logs whose `user_id` is theirs and whose recipient type (kept in the
   * log's extra data) is theirs, or whose recipient is their directory address.
   */
  emailLogs(person: ParticipantRef, page: PersonalDataPage): Promise<readonly PersonalEmailLogRecord[]>;
  /** The people they blocked. */
  blocks(person: ParticipantRef): Promise<readonly PersonalBlockRecord[]>;
  /**
   * Each move forward of their read and delivery state, by conversation, kind (`delivered`
   * before `read`), then seq.
   */
  receipts(person: ParticipantRef): Promise<readonly PersonalReceiptRecord[]>;
  /** The messages they hid for themselves, by conversation then message id. */
  hiddenMessages(person: ParticipantRef): Promise<readonly PersonalHiddenMessageRecord[]>;
  /**
   * Erases their personal data, changing only what is not erased yet (so a second call changes
   * nothing and returns zero counts). Writes:
   * - their messages' `content` and `subject`, and every revision's `content`, become `marker`
   *   (the search vector follows the content, so the old words no longer match); their send
   *   idempotency keys are deleted (they hash the content);
   * - their attachments' rows are deleted; the files are returned in `files`, for the caller to
   *   remove once the transaction committed;
   * - email logs sent to them lose the recipient address and their subject and bodies (`marker`);
   *   other logs about their conversations have their name and address replaced by `marker`;
   * - their directory entry keeps its key with the name `anonymousName` and no address.
   * Other people's messages, memberships, and blocks are untouched; so are the event log's
   * events, which hold no content.
   */
  erase(
    person: ParticipantRef,
    input: { readonly marker: string; readonly anonymousName: string; readonly at: Date },
  ): Promise<ErasureOutcome>;
}

/** The repository and the conversation event log, bound to one connection or one transaction. */
export interface PersonalDataRepositories {
  readonly personalData: PersonalDataRepository;
  readonly events: EventLog;
}

/**
 * The unit of work of the GDPR use cases: an erasure and its `participant.erased` event commit
 * together, or neither does.
 *
 * @example
 * ```ts
 * const outcome = await store.transaction(async (tx) => {
 *   const erased = await tx.personalData.erase(person, { marker, anonymousName, at });
 *   await tx.events.append([erasedEvent]);
 *   return erased;
 * });
 * ```
 */
export interface PersonalDataStore extends PersonalDataRepositories {
  /** Runs `work` in one transaction (see `MessagingStore.transaction`: same rules). */
  transaction<T>(work: (tx: PersonalDataRepositories) => Promise<T>): Promise<T>;
}
