import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { ModerationSettings, ModerationVerdict } from '../model/moderation.js';

/** What a moderator is asked about: one message about to be sent, or an edit about to be stored. */
export interface ModerationRequest {
  readonly kind: 'send' | 'edit';
  /** The conversation's tenant; null for platform conversations. */
  readonly tenantId: string | null;
  readonly conversationId: string;
  readonly sender: ParticipantRef;
  /** The normalized content (as earlier moderators rewrote it). */
  readonly content: string;
  /** The tenant's moderation configuration (preset defaults merged with its own). */
  readonly settings: ModerationSettings;
  /** Aborted when the moderator's time limit passes: a moderator doing I/O should stop then. */
  readonly signal: AbortSignal;
}

/**
 * Judges content before it is stored (`sendMessage`, `sendMessageWithAttachments`,
 * `editMessage`). A moderator has no side effects of its own: the use case stores the verdict's
 * consequences (a flagged or held message, `message.flagged` / `message.held`) in the send's or
 * edit's transaction. It may be slow or fail (a remote classifier): `composeModerators` gives each
 * a time limit and a fail-open or fail-closed behaviour.
 *
 * @example
 * ```ts
 * const shouting: ContentModerator = {
 *   name: 'shouting',
 *   async moderate({ content }) {
 *     return content === content.toUpperCase() && content.length > 20
 *       ? { action: 'flag', reason: 'shouting' }
 *       : { action: 'allow' };
 *   },
 * };
 * ```
 */
export interface ContentModerator {
  /** Stable, for logs and for the verdict's reason when it fails. */
  readonly name: string;
  moderate(request: ModerationRequest): Promise<ModerationVerdict>;
}
