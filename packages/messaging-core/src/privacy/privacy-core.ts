import type { AttachmentStorage } from '../conversations/ports/attachment-storage.js';
import type { ParticipantRef } from '../kernel/model/participant-ref.js';
import type { RequestOrigin } from '../kernel/model/request-origin.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import type { PersonalDataSection } from './model/personal-data.js';
import type { PersonalDataStore } from './ports/personal-data-store.js';
import { type ErasureResult, erasePersonalData } from './use-cases/erase-personal-data.js';
import { exportPersonalData, type PersonalDataExport } from './use-cases/export-personal-data.js';
import { personalDataSections } from './use-cases/personal-data-sections.js';

export interface PrivacyCoreDependencies {
  readonly store: PersonalDataStore;
  /** Where attachment files live (exported, then removed by an erasure). */
  readonly attachmentStorage: AttachmentStorage;
  readonly clock?: Clock;
  /**
   * The export's sections, in order (default: `personalDataSections(store.personalData)`). Add
   * a context's own section by passing the defaults plus it.
   */
  readonly sections?: readonly PersonalDataSection[];
}

/** The GDPR use cases: export (right of access) and erasure (right to be forgotten). */
export interface PrivacyCore {
  /** See `exportPersonalData`. */
  exportPersonalData(
    actor: ParticipantRef & { readonly origin?: RequestOrigin },
    person: ParticipantRef,
  ): Promise<PersonalDataExport>;
  /** See `erasePersonalData`. */
  erasePersonalData(
    actor: ParticipantRef & { readonly origin?: RequestOrigin },
    person: ParticipantRef,
  ): Promise<ErasureResult>;
}

/**
 * The privacy context's use cases over its store. The actor is the host platform's service
 * (the API admits only `service` tokens to these routes); the use cases check the person, not
 * the actor.
 *
 * @example
 * ```ts
 * const privacy = createPrivacyCore({ store: new KyselyPersonalDataStore({ db }), attachmentStorage });
 * await privacy.erasePersonalData({ type: 'service', id: 'platform' }, { type: 'customer', id: 'c1' });
 * ```
 */
export function createPrivacyCore(deps: PrivacyCoreDependencies): PrivacyCore {
  const resolved = {
    store: deps.store,
    attachmentStorage: deps.attachmentStorage,
    clock: deps.clock ?? systemClock,
    sections: deps.sections ?? personalDataSections(deps.store.personalData),
  };
  return {
    exportPersonalData: (actor, person) => exportPersonalData(resolved, actor, person),
    erasePersonalData: (actor, person) => erasePersonalData(resolved, actor, person),
  };
}
