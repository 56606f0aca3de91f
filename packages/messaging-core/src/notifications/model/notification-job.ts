import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

export type NotificationJobStatus = 'pending' | 'sent' | 'skipped' | 'failed';

/** One email notification owed to a recipient for one message (enqueued by `append`). */
export interface NotificationJob {
  readonly id: string;
  readonly messageId: string;
  readonly conversationId: string;
  readonly recipient: ParticipantRef;
  /** The conversation's store (its transport and template overrides); null for platform conversations. */
  readonly storeId: string | null;
  readonly status: NotificationJobStatus;
  /** Claims so far. */
  readonly attempts: number;
  readonly availableAt: Date;
  readonly lockedUntil: Date | null;
  readonly lockedBy: string | null;
  /** The fencing token of the claim holding the job (new at each claim); null before the first. */
  readonly leaseToken: string | null;
  readonly emailLogId: string | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
