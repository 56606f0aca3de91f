import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/**
 * What an erased message's content (and each of its revisions) becomes. A marker rather than an
 * empty string, so a conversation still reads as a conversation ("a message was here") and the
 * search vector, generated from the content, holds none of the old words.
 */
export const ERASED_CONTENT = '[erased]';

/** The name an erased person's directory entry keeps (their address is removed). */
export const ERASED_NAME = 'Erased person';

/**
 * The records an export writes, one JSON file per section. Their fields are the export's format
 * (snake_case, ISO 8601 timestamps): add fields, never rename one.
 */
export interface PersonalDirectoryRecord {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly locale: string;
  /** Their store or tenant; null for platform-wide people. */
  readonly tenant_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One membership, with the per-conversation preferences it carries. */
export interface PersonalMembershipRecord {
  readonly conversation_id: string;
  readonly conversation_type: string;
  readonly subject: string;
  readonly role: string;
  readonly joined_at: string;
  readonly left_at: string | null;
  readonly last_read_seq: number;
  readonly last_read_at: string | null;
  readonly email_notifications: boolean;
  readonly muted: boolean;
  readonly archived_at: string | null;
}

/** A previous version of a message (edits keep them). */
export interface PersonalRevisionRecord {
  readonly revision: number;
  readonly content: string;
  readonly created_at: string;
}

/** A message they sent, with every revision kept of it. */
export interface PersonalMessageRecord {
  readonly id: string;
  readonly conversation_id: string;
  readonly seq: number;
  readonly content: string;
  readonly subject: string | null;
  readonly created_at: string;
  readonly edited_at: string | null;
  readonly revision: number;
  readonly is_deleted: boolean;
  readonly revisions: readonly PersonalRevisionRecord[];
}

/** The metadata of an attachment of one of their messages; `file_path` is the storage key. */
export interface PersonalAttachmentRecord {
  readonly id: string;
  readonly message_id: string;
  readonly conversation_id: string;
  readonly original_filename: string;
  readonly mime_type: string;
  readonly file_size: number;
  readonly file_path: string;
  readonly thumbnail_path: string | null;
  readonly image_width: number | null;
  readonly image_height: number | null;
  readonly created_at: string;
}

/** An email sent to them (by address, or by their id as the notification's recipient). */
export interface PersonalEmailLogRecord {
  readonly id: string;
  readonly template_code: string | null;
  readonly recipient: string;
  readonly subject: string;
  readonly body_text: string;
  readonly status: string;
  readonly sent_at: string | null;
  readonly created_at: string;
  readonly related_type: string | null;
  readonly related_id: string | null;
}

/** Someone they blocked. Blocks of them by others are the others' data and are not exported. */
export interface PersonalBlockRecord {
  readonly blocked_type: string;
  readonly blocked_id: string;
  readonly created_at: string;
}

/** When they read (or their client received) a conversation up to a message: receipts others see. */
export interface PersonalReceiptRecord {
  readonly conversation_id: string;
  readonly kind: 'read' | 'delivered';
  readonly up_to_seq: number;
  readonly at: string;
}

/** A message they hid for themselves (a per-side delete). */
export interface PersonalHiddenMessageRecord {
  readonly conversation_id: string;
  readonly message_id: string;
}

/** A keyset page: records after `after` (an id; null: from the start), at most `limit`. */
export interface PersonalDataPage {
  readonly after: string | null;
  readonly limit: number;
}

/** What one erasure changed; the storage keys are the files to remove once it committed. */
export interface ErasureOutcome {
  readonly messages: number;
  readonly revisions: number;
  readonly attachments: number;
  readonly emailLogs: number;
  readonly directoryEntry: boolean;
  /** Attachment files and thumbnails whose rows the erasure deleted. */
  readonly files: readonly string[];
}

/**
 * One file of an export: `{name}.json`, a JSON array of the records `records` yields. Sections
 * are data: the export writes whatever list it is given, so a context adds its own (global
 * notification preferences, say) by adding a section to `createPrivacyCore`'s `sections`.
 *
 * @example
 * ```ts
 * const notificationPreferences: PersonalDataSection = {
 *   name: 'notification_preferences',
 *   async *records(person) { const found = await preferences.get(person); if (found) yield found; },
 * };
 * createPrivacyCore({ store, attachmentStorage, sections: [...personalDataSections(store.personalData), notificationPreferences] });
 * ```
 */
export interface PersonalDataSection {
  /** The file name without `.json`: lower-case letters, digits and `_`. */
  readonly name: string;
  /** The section's records, read lazily (page by page) as the export is written. */
  records(person: ParticipantRef): AsyncIterable<unknown>;
}
