import type {
  AdminNotificationsCore,
  AuditCore,
  EmailCore,
  EmailTemplatesCore,
  MarketplaceDirectory,
} from '@parley/messaging-core';
import type { EmailWebhookDependencies } from '../../src/routes/email-webhook-routes.js';
import type { ParleyApp } from '../../src/server.js';

/** One API instance under test, on whichever adapters the factory chose. */
export interface ApiHarness {
  readonly app: ParleyApp;
  readonly directory: MarketplaceDirectory;
  readonly jwtSecret: string;
  /** `memory`, `pglite`, `postgres`. */
  readonly databaseKind: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  /** Email template previews per window per store (or admin); absent: none. */
  readonly templatePreviewRateLimit?: { readonly max: number; readonly windowMs: number };
  readonly bodyLimit?: number;
  readonly logStream?: NodeJS.WritableStream;
  readonly logLevel?: 'info' | 'debug' | 'silent';
  /** The email tracking webhooks (absent: their routes answer 404). */
  readonly emailWebhooks?: EmailWebhookDependencies;
  /** The email use cases (absent: the email settings and email log routes are not registered). */
  readonly email?: EmailCore;
  /** The email template use cases (absent: the email template routes are not registered). */
  readonly emailTemplates?: EmailTemplatesCore;
  /** The admin notification use cases (absent: their routes are not registered). */
  readonly adminNotifications?: AdminNotificationsCore;
  /** The audit log use cases (absent: its routes are not registered). */
  readonly audit?: AuditCore;
}

/** Builds a fresh API over empty storage. */
export type HarnessFactory = (options?: HarnessOptions) => Promise<ApiHarness>;

export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789abcdef';
