import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { PersonalDataPage, PersonalDataSection } from '../model/personal-data.js';
import type { PersonalDataRepository } from '../ports/personal-data-store.js';

/** Records per read of a paged section. */
export const EXPORT_PAGE_SIZE = 200;

/** Every record of a keyset-paged list, a page at a time. */
export async function* pagesOf<T extends { readonly id: string }>(
  read: (page: PersonalDataPage) => Promise<readonly T[]>,
  limit = EXPORT_PAGE_SIZE,
): AsyncIterable<T> {
  let after: string | null = null;
  for (;;) {
    const page = await read({ after, limit });
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < limit) return;
    after = last.id;
  }
}

/**
 * The export's built-in sections, in the order they are written: `directory_entry`,
 * `memberships`, `conversation_preferences`, `messages` (with their revisions), `attachments`
 * (metadata; the files go under `attachments/`), `email_logs`, `blocks`, `receipts` (when they
 * read and received each conversation), `hidden_messages` (their per-side deletes).
 *
 * @example
 * ```ts
 * const sections = [...personalDataSections(store.personalData), notificationPreferencesSection];
 * ```
 */
export function personalDataSections(repository: PersonalDataRepository): PersonalDataSection[] {
  return [
    {
      name: 'directory_entry',
      async *records(person: ParticipantRef) {
        const entry = await repository.directoryEntry(person);
        if (entry) yield entry;
      },
    },
    {
      name: 'memberships',
      async *records(person: ParticipantRef) {
        yield* await repository.memberships(person);
      },
    },
    {
      // The per-conversation preferences, on their own: what a person set, not where they are.
      name: 'conversation_preferences',
      async *records(person: ParticipantRef) {
        for (const membership of await repository.memberships(person))
          yield {
            conversation_id: membership.conversation_id,
            email_notifications: membership.email_notifications,
            muted: membership.muted,
            archived_at: membership.archived_at,
          };
      },
    },
    {
      name: 'messages',
      records: (person: ParticipantRef) => pagesOf((page) => repository.sentMessages(person, page)),
    },
    {
      name: 'attachments',
      records: (person: ParticipantRef) => pagesOf((page) => repository.attachments(person, page)),
    },
    {
      name: 'email_logs',
      records: (person: ParticipantRef) => pagesOf((page) => repository.emailLogs(person, page)),
    },
    {
      name: 'blocks',
      async *records(person: ParticipantRef) {
        yield* await repository.blocks(person);
      },
    },
    {
      name: 'receipts',
      async *records(person: ParticipantRef) {
        yield* await repository.receipts(person);
      },
    },
    {
      name: 'hidden_messages',
      async *records(person: ParticipantRef) {
        yield* await repository.hiddenMessages(person);
      },
    },
  ];
}
