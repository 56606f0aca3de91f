/**
 * Where an email stands. `pending` → `sent` | `failed` is the send; provider events then move a
 * sent email forward through `delivered` → `opened` → `clicked` (never backward), and `bounced`
 * is recorded whatever came before.
 */
export const EMAIL_STATUSES = [
  'pending',
  'sent',
  'failed',
  'bounced',
  'delivered',
  'opened',
  'clicked',
] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** One email Parley tried to send, and what became of it. */
export interface EmailLog {
  readonly id: string;
  /** The template it was rendered from (`new_message`, `email_settings_verification`, …); null for raw sends. */
  readonly templateCode: string | null;
  readonly recipient: string;
  readonly subject: string;
  readonly bodyHtml: string | null;
  readonly bodyText: string;
  readonly fromEmail: string;
  readonly fromName: string | null;
  readonly replyTo: string | null;
  readonly status: EmailStatus;
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly openedAt: Date | null;
  readonly clickedAt: Date | null;
  readonly bouncedAt: Date | null;
  /** Spam complaint (recorded apart from the status, which a complaint does not move). */
  readonly complainedAt: Date | null;
  readonly errorMessage: string | null;
  readonly retryCount: number;
  /** `smtp`, `sendgrid`, `mailgun`, `ses`, `file`, `memory`. */
  readonly provider: string | null;
  readonly providerMessageId: string | null;
  readonly storeId: string | null;
  /** The platform user or customer it went to, when known. */
  readonly userId: string | null;
  /** What it is about, e.g. `conversation` + id. */
  readonly relatedType: string | null;
  readonly relatedId: string | null;
  readonly extraData: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
