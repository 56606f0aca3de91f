import type { ParticipantRef } from './participant-ref.js';

/** What the directory knows of a participant. */
export interface DirectoryEntry {
  readonly ref: ParticipantRef;
  readonly name: string;
  /** Null when the participant has no address (then they get no email). */
  readonly email: string | null;
  /** BCP 47 language tag, e.g. `en`, `fr`. */
  readonly locale: string;
  /** The store the participant belongs to; null for platform-wide participants (admins). */
  readonly storeId: string | null;
}
