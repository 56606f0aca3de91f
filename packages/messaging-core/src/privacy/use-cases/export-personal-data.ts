import { sanitizeFilename } from '../../conversations/attachments/sanitize-filename.js';
import type { AttachmentStorage, ByteStream } from '../../conversations/ports/attachment-storage.js';
import { isMessagingError, MessagingError } from '../../kernel/errors.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import { originOf, type RequestOrigin } from '../../kernel/model/request-origin.js';
import type { Clock } from '../../kernel/ports/clock.js';
import type { PersonalDataSection } from '../model/personal-data.js';
import type { PersonalDataStore } from '../ports/personal-data-store.js';
import { pagesOf } from './personal-data-sections.js';

/** One attachment file of an export, opened only when the export reaches it. */
export interface PersonalDataFile {
  /** Its path in the archive: `attachments/{attachment id}/{file name}`. */
  readonly name: string;
  readonly attachmentId: string;
  /** The bytes; null when the storage no longer has them (listed in the manifest as missing). */
  open(): Promise<ByteStream | null>;
}

/** An export, ready to be written: nothing is read until its sections and files are iterated. */
export interface PersonalDataExport {
  readonly person: ParticipantRef;
  readonly generatedAt: Date;
  /** The sections, in order; each becomes `{name}.json`. */
  readonly sections: readonly PersonalDataSection[];
  /** The attachment files of the messages they sent, in attachment id order. */
  files(): AsyncIterable<PersonalDataFile>;
}

export interface PrivacyDependencies {
  readonly store: PersonalDataStore;
  readonly attachmentStorage: AttachmentStorage;
  readonly clock: Clock;
  readonly sections: readonly PersonalDataSection[];
}

/**
 * Everything Parley holds about `person`, as sections and files to stream (the API writes them
 * into a zip). A person Parley holds nothing about is `NOT_FOUND` (`{type} {id} not found`).
 * Side effect: appends `participant.exported` (the actor, the person, the section names) before
 * anything is read, so an export is recorded even when its download is cut short.
 *
 * @example
 * ```ts
 * const exported = await privacy.exportPersonalData({ type: 'service', id: 'platform' }, { type: 'customer', id: 'c1' });
 * for (const section of exported.sections) for await (const record of section.records(exported.person)) write(record);
 * ```
 */
export async function exportPersonalData(
  deps: PrivacyDependencies,
  actor: ParticipantRef & { readonly origin?: RequestOrigin },
  person: ParticipantRef,
): Promise<PersonalDataExport> {
  const { store, attachmentStorage, clock, sections } = deps;
  if (!(await store.personalData.holdsAny(person))) throw MessagingError.notFound(person.type, person.id);
  const entry = await store.personalData.directoryEntry(person);
  const generatedAt = clock.now();
  await store.transaction(async (tx) => {
    await tx.events.append([
      {
        type: 'participant.exported',
        occurredAt: generatedAt,
        actor: { type: actor.type, id: actor.id },
        ...originOf(actor),
        tenantId: entry?.tenant_id ?? null,
        conversationId: null,
        person: { type: person.type, id: person.id },
        sections: sections.map((section) => section.name),
      },
    ]);
  });
  return {
    person: { type: person.type, id: person.id },
    generatedAt,
    sections,
    async *files() {
      for await (const attachment of pagesOf((page) => store.personalData.attachments(person, page))) {
        yield {
          name: `attachments/${attachment.id}/${sanitizeFilename(attachment.original_filename) || 'file'}`,
          attachmentId: attachment.id,
          open: async () => {
            try {
              return await attachmentStorage.openRead(attachment.file_path);
            } catch (error) {
              if (isMessagingError(error) && error.code === 'NOT_FOUND') return null;
              throw error;
            }
          },
        };
      }
    },
  };
}
