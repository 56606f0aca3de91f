/** The providers a store may send through. */
export const EMAIL_PROVIDERS = ['smtp', 'sendgrid', 'mailgun', 'ses'] as const;
export type EmailProvider = (typeof EMAIL_PROVIDERS)[number];

/**
 * Where a store's mail goes when its own provider fails with a retryable error or its circuit
 * breaker is open: another provider whose credentials are in the same settings, or `platform`,
 * the platform's own transport.
 */
export type EmailFallback = EmailProvider | 'platform';
export const EMAIL_FALLBACKS: readonly EmailFallback[] = [...EMAIL_PROVIDERS, 'platform'];

export const MAILGUN_REGIONS = ['us', 'eu'] as const;
export type MailgunRegion = (typeof MAILGUN_REGIONS)[number];

/**
 * The credential fields, write-only: stored as `SecretCipher` tokens, decrypted only to build a
 * transport, and shown to callers masked (`{ is_set }`), never in plaintext.
 */
export const EMAIL_SECRET_FIELDS = [
  'smtpPassword',
  'sendgridApiKey',
  'mailgunApiKey',
  'sesAccessKeyId',
  'sesSecretAccessKey',
] as const;
export type EmailSecretField = (typeof EMAIL_SECRET_FIELDS)[number];

/**
 * One store's email settings as stored: the secret fields hold `SecretCipher` tokens (ciphertext
 * tagged with its key id), never plaintext.
 */
export interface StoreEmailSettings {
  readonly storeId: string;
  readonly fromEmail: string | null;
  readonly fromName: string | null;
  readonly replyToEmail: string | null;
  readonly signatureText: string | null;
  readonly signatureHtml: string | null;
  /** Null until the store chooses one (the platform default transport is used meanwhile). */
  readonly provider: EmailProvider | null;
  /** Null: no failover (a failed send is retried later through `provider`). */
  readonly fallbackProvider: EmailFallback | null;
  readonly smtpHost: string | null;
  readonly smtpPort: number | null;
  readonly smtpUsername: string | null;
  /** Encrypted token. */
  readonly smtpPassword: string | null;
  /** STARTTLS on a plain connection (port 587). */
  readonly smtpUseTls: boolean;
  /** Implicit TLS from the first byte (port 465). */
  readonly smtpUseSsl: boolean;
  /** Encrypted token. */
  readonly sendgridApiKey: string | null;
  /** Encrypted token. */
  readonly mailgunApiKey: string | null;
  readonly mailgunDomain: string | null;
  readonly mailgunRegion: MailgunRegion | null;
  /** Encrypted token. */
  readonly sesAccessKeyId: string | null;
  /** Encrypted token. */
  readonly sesSecretAccessKey: string | null;
  readonly sesRegion: string | null;
  /** Every field the chosen provider needs is set (and the from address). */
  readonly isConfigured: boolean;
  /** A test email went through this exact configuration; reset when provider or credentials change. */
  readonly isVerified: boolean;
  readonly lastVerifiedAt: Date | null;
  readonly verificationError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
