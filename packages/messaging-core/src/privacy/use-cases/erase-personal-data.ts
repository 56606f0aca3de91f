import type { ErasureCounts } from '../../conversations/model/domain-event.js';
import { MessagingError } from '../../kernel/errors.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import { originOf, type RequestOrigin } from '../../kernel/model/request-origin.js';
import { ERASED_CONTENT, ERASED_NAME } from '../model/personal-data.js';
import type { PrivacyDependencies } from './export-personal-data.js';

/** What an erasure did. */
export interface ErasureResult {
  /** False when everything was already erased (a repeated call): nothing changed, no event. */
  readonly changed: boolean;
  readonly counts: ErasureCounts;
  /** Files removed from the attachment storage after the commit. */
  readonly filesRemoved: number;
  /** Files whose removal failed; the orphan sweep removes them (no row points to them any more). */
  readonly filesLeft: readonly string[];
}

/**
 * Erases `person`'s personal data (GDPR right to erasure), see `PersonalDataRepository.erase`
 * for every row it changes. In one transaction: the erasure and, when it changed anything,
 * `participant.erased` (counts only, none of the erased data). After the commit, their
 * attachment files are removed from the storage; a removal that fails is left to the orphan
 * sweep, which removes files no attachment row points to (the rows are gone by then). Deleting
 * files inside the transaction instead would lose them for good if the transaction rolled back.
 *
 * Idempotent: a second call finds the anonymised entry, changes nothing, records no event and
 * reports `changed: false`. A person Parley holds nothing about is `NOT_FOUND`.
 *
 * @example
 * ```ts
 * const result = await privacy.erasePersonalData({ type: 'service', id: 'platform' }, { type: 'customer', id: 'c1' });
 * result.counts.messages; // 12
 * ```
 */
export async function erasePersonalData(
  deps: PrivacyDependencies,
  actor: ParticipantRef & { readonly origin?: RequestOrigin },
  person: ParticipantRef,
): Promise<ErasureResult> {
  const { store, attachmentStorage, clock } = deps;
  if (!(await store.personalData.holdsAny(person))) throw MessagingError.notFound(person.type, person.id);
  const at = clock.now();
  const outcome = await store.transaction(async (tx) => {
    const entry = await tx.personalData.directoryEntry(person);
    const erased = await tx.personalData.erase(person, {
      marker: ERASED_CONTENT,
      anonymousName: ERASED_NAME,
      at,
    });
    const counts: ErasureCounts = {
      messages: erased.messages,
      revisions: erased.revisions,
      attachments: erased.attachments,
      emailLogs: erased.emailLogs,
      directoryEntry: erased.directoryEntry,
    };
    const changed =
      counts.messages + counts.revisions + counts.attachments + counts.emailLogs > 0 || counts.directoryEntry;
    if (changed)
      await tx.events.append([
        {
          type: 'participant.erased',
          occurredAt: at,
          actor: { type: actor.type, id: actor.id },
          ...originOf(actor),
          tenantId: entry?.tenant_id ?? null,
          conversationId: null,
          person: { type: person.type, id: person.id },
          counts,
        },
      ]);
    return { counts, changed, files: erased.files };
  });
  let filesRemoved = 0;
  const filesLeft: string[] = [];
  for (const path of outcome.files) {
    try {
      await attachmentStorage.delete(path);
      filesRemoved += 1;
    } catch {
      filesLeft.push(path);
    }
  }
  return { changed: outcome.changed, counts: outcome.counts, filesRemoved, filesLeft };
}
