/**
 * The event a directory writes, in the same transaction, when an existing person's entry changes
 * (name, email, locale, tenant, role) or is removed. A person's first insert writes none: nothing
 * can have been cached about someone who did not exist. Processes that cache entries
 * (`CachingDirectory`) drop theirs when they read it from the log.
 */
export const DIRECTORY_CHANGED = 'directory.changed';

/** The payload of `directory.changed`: whose entry changed (every participant type under that id). */
export interface DirectoryChangedPayload {
  readonly participant_id: string;
  /** `updated` (an upsert replaced the entry) or `removed`. */
  readonly change: 'updated' | 'removed';
}

/** The kernel's event vocabulary: event type → stored payload. */
export interface DirectoryEventPayloads {
  readonly 'directory.changed': DirectoryChangedPayload;
}

/** The participant id a `directory.changed` event names; null for any other event. */
export function changedParticipantId(event: {
  readonly type: string;
  readonly payload: unknown;
}): string | null {
  if (event.type !== DIRECTORY_CHANGED) return null;
  const payload = event.payload as Partial<DirectoryChangedPayload> | null;
  return typeof payload?.participant_id === 'string' ? payload.participant_id : null;
}
