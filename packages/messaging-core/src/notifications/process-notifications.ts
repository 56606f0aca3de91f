import type { RenderEmailInput, RenderedEmail } from '../email/email-templates-core.js';
import type { SendEmailInput, SendEmailResult } from '../email/send-email.js';
import { isMessagingError } from '../errors.js';
import type { EmailLog } from '../model/email-log.js';
import type { Message } from '../model/message.js';
import type { NotificationJob } from '../model/notification-job.js';
import type { ConversationRepository } from '../ports/conversation-repository.js';
import type { Directory } from '../ports/directory.js';
import type { EmailLogRepository } from '../ports/email-log-repository.js';
import type { MessageRepository } from '../ports/message-repository.js';
import type { NotificationGroup, NotificationQueue } from '../ports/notification-queue.js';

/** The template every message notification is rendered from. */
export const NEW_MESSAGE_TEMPLATE = 'new_message';

/** Longest `message_preview`, in characters. */
export const MESSAGE_PREVIEW_LENGTH = 200;

/** Tunables of the pipeline (the API reads them from its config). */
export interface NotificationOptions {
  /** At most one email per recipient per conversation per window. Default 5 minutes. */
  readonly windowMs?: number;
  /** How long a claim holds before another worker may retake it. Default 2 minutes. */
  readonly leaseMs?: number;
  /** Failed send attempts after which a group fails for good. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per failed attempt, with jitter. Default 30 seconds. */
  readonly backoffBaseMs?: number;
  /** Longest retry delay. Default 1 hour. */
  readonly backoffMaxMs?: number;
}

export interface NotificationDependencies extends NotificationOptions {
  readonly queue: NotificationQueue;
  readonly conversations: Pick<ConversationRepository, 'findById'>;
  readonly messages: Pick<MessageRepository, 'findById'>;
  readonly directory: Pick<Directory, 'resolve'>;
  readonly emailLogs: Pick<EmailLogRepository, 'findById'>;
  /** `EmailTemplatesCore.renderEmail`. */
  readonly renderEmail: (input: RenderEmailInput) => Promise<RenderedEmail>;
  /** `EmailCore.sendEmail` (transport choice and the email log). */
  readonly sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
  /** The public base URL reply links start with, e.g. `https://parley.example.com`. */
  readonly publicUrl: string;
  /** Jitter source in [0, 1). Defaults to `Math.random`. */
  readonly random?: () => number;
}

export interface ProcessNotificationsInput {
  readonly workerId: string;
  readonly now: Date;
  /** Most (recipient, conversation) groups handled in this run. */
  readonly limit: number;
}

/** How one claimed group ended in this run. */
export type NotificationGroupOutcome = 'sent' | 'deduplicated' | 'skipped' | 'retrying' | 'failed';

export interface ProcessNotificationsResult {
  readonly groups: readonly {
    readonly recipient: NotificationGroup['recipient'];
    readonly conversationId: string;
    readonly jobIds: readonly string[];
    readonly outcome: NotificationGroupOutcome;
    readonly emailLogId: string | null;
  }[];
}

export const NOTIFICATION_DEFAULTS = {
  windowMs: 5 * 60_000,
  leaseMs: 2 * 60_000,
  maxAttempts: 5,
  backoffBaseMs: 30_000,
  backoffMaxMs: 60 * 60_000,
} as const;

/** Render failures that fail a group for good (a retry renders the same template the same way). */
const PERMANENT_RENDER_CODES: ReadonlySet<string> = new Set([
  'VALIDATION',
  'NOT_FOUND',
  'TEMPLATE_TIMEOUT',
  'TEMPLATE_TOO_LARGE',
]);

/** The jobs an email log covers (recorded in its `extraData`). */
const JOB_IDS_KEY = 'notification_job_ids';

function coveredJobIds(log: EmailLog): Set<string> {
  const ids = log.extraData[JOB_IDS_KEY];
  return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
}

/** Where a recipient of this type reads their messages. */
export function replyAudience(recipientType: string): 'admin' | 'store' | 'storefront' {
  if (recipientType === 'admin') return 'admin';
  if (recipientType === 'customer') return 'storefront';
  return 'store';
}

/**
 * Delay before retry `failedAttempts + 1`: `base · 2^(failedAttempts-1)`, capped, scaled by a
 * jitter factor in [0.5, 1).
 */
export function retryDelayMs(
  failedAttempts: number,
  options: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number,
): number {
  const exponential = options.backoffBaseMs * 2 ** Math.max(0, failedAttempts - 1);
  const capped = Math.min(options.backoffMaxMs, exponential);
  return Math.round(capped * (0.5 + random() * 0.5));
}

/**
 * One worker run: claims due (recipient, conversation) groups and sends each one email —
 * `new_message` in the recipient's language with the store's overrides, counting every message
 * of the group. The email log id is the group's first job id, so a group retried after a crash
 * never sends twice: a log already `sent` only completes the jobs it recorded. Retryable
 * failures are rescheduled with exponential backoff and jitter up to `maxAttempts`; permanent
 * ones fail at once. Errors other than sending ones (a store down, a crash) propagate: the
 * claim's lease then expires and another run retries.
 *
 * @example
 * ```ts
 * const { groups } = await processNotifications(deps, { workerId: 'api-1', now: clock.now(), limit: 50 });
 * ```
 */
export async function processNotifications(
  deps: NotificationDependencies,
  input: ProcessNotificationsInput,
): Promise<ProcessNotificationsResult> {
  const options = { ...NOTIFICATION_DEFAULTS, ...definedOptions(deps) };
  const groups = await deps.queue.claimDue({
    workerId: input.workerId,
    now: input.now,
    leaseMs: options.leaseMs,
    windowMs: options.windowMs,
    limit: input.limit,
  });
  const results: ProcessNotificationsResult['groups'][number][] = [];
  for (const group of groups) {
    const handled = await processGroup(deps, options, input, group);
    results.push({
      recipient: group.recipient,
      conversationId: group.conversationId,
      jobIds: handled.jobIds,
      outcome: handled.outcome,
      emailLogId: handled.emailLogId,
    });
  }
  return { groups: results };
}

function definedOptions(deps: NotificationOptions): NotificationOptions {
  const entries = Object.entries({
    windowMs: deps.windowMs,
    leaseMs: deps.leaseMs,
    maxAttempts: deps.maxAttempts,
    backoffBaseMs: deps.backoffBaseMs,
    backoffMaxMs: deps.backoffMaxMs,
  }).filter(([, value]) => value !== undefined);
  return Object.fromEntries(entries) as NotificationOptions;
}

async function processGroup(
  deps: NotificationDependencies,
  options: Required<NotificationOptions>,
  input: ProcessNotificationsInput,
  group: NotificationGroup,
): Promise<{ jobIds: string[]; outcome: NotificationGroupOutcome; emailLogId: string | null }> {
  const { queue } = deps;
  const workerId = input.workerId;
  const now = input.now;
  const first = group.jobs[0];
  if (first === undefined) return { jobIds: [], outcome: 'skipped', emailLogId: null };
  let jobs: readonly NotificationJob[] = group.jobs;

  // Earlier attempts left logs whose ids are job ids of this group (a log's id is the first job
  // of the group it was sent for). Jobs a sent log covers are done: complete them and fold the
  // rest into the next email (the window now starts at that send).
  const previousLogs = (await Promise.all(jobs.map((job) => deps.emailLogs.findById(job.id)))).filter(
    (log): log is EmailLog => log !== null,
  );
  const sentLogs = previousLogs.filter((log) => log.status !== 'pending' && log.status !== 'failed');
  if (sentLogs.length > 0) {
    const done: string[] = [];
    for (const log of sentLogs) {
      const covered = coveredJobIds(log);
      const covering = jobs
        .filter((job) => covered.has(job.id) && !done.includes(job.id))
        .map((job) => job.id);
      done.push(...covering);
      await queue.complete(covering, { workerId, status: 'sent', emailLogId: log.id, at: log.sentAt ?? now });
    }
    const later = jobs.filter((job) => !done.includes(job.id));
    if (later.length > 0) {
      await queue.reschedule(ids(later), {
        workerId,
        availableAt: now,
        error: 'folded into the next email',
        emailLogId: null,
        at: now,
      });
    }
    return { jobIds: done, outcome: 'deduplicated', emailLogId: sentLogs[0]?.id ?? null };
  }

  // A failed or interrupted attempt of this group: retry it on the same log row, with the jobs it
  // recorded, so the log always describes the email; later jobs go into the next email.
  const logId = first.id;
  const previous = previousLogs.find((log) => log.id === logId) ?? null;
  if (previous !== null) {
    const covered = coveredJobIds(previous);
    const later = jobs.filter((job) => !covered.has(job.id));
    jobs = jobs.filter((job) => covered.has(job.id));
    if (later.length > 0) {
      await queue.reschedule(ids(later), {
        workerId,
        availableAt: now,
        error: 'folded into the next email',
        emailLogId: null,
        at: now,
      });
    }
  }

  const recipient = await deps.directory.resolve(group.recipient);
  if (recipient === null || recipient.email === null || recipient.email.trim() === '') {
    await queue.complete(ids(jobs), { workerId, status: 'skipped', emailLogId: null, at: now });
    return { jobIds: ids(jobs), outcome: 'skipped', emailLogId: null };
  }

  let rendered: RenderedEmail;
  let variables: Record<string, string | number>;
  try {
    const conversation = await deps.conversations.findById(group.conversationId);
    const messages = (
      await Promise.all(jobs.map((job) => deps.messages.findById(job.conversationId, job.messageId)))
    ).filter((m): m is Message => m !== null);
    const latest = latestOf(messages);
    const sender = latest === null ? null : await deps.directory.resolve(latest.sender);
    variables = {
      conversation_subject: conversation?.subject ?? '',
      sender_name: sender?.name ?? latest?.sender.id ?? '',
      message_preview:
        latest === null || latest.isDeleted ? '' : latest.content.slice(0, MESSAGE_PREVIEW_LENGTH),
      reply_url: `${deps.publicUrl.replace(/\/+$/, '')}/${replyAudience(group.recipient.type)}/messages/${group.conversationId}`,
      message_count: jobs.length,
    };
    rendered = await deps.renderEmail({
      code: NEW_MESSAGE_TEMPLATE,
      language: recipient.locale,
      storeId: group.storeId,
      variables,
    });
  } catch (error) {
    if (!isMessagingError(error) || !PERMANENT_RENDER_CODES.has(error.code)) throw error;
    await queue.fail(ids(jobs), { workerId, error: error.message, emailLogId: null, at: now });
    return { jobIds: ids(jobs), outcome: 'failed', emailLogId: null };
  }

  const { log, error } = await deps.sendEmail({
    logId,
    storeId: group.storeId,
    to: { address: recipient.email, name: recipient.name },
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    templateCode: rendered.templateCode,
    userId: group.recipient.id,
    relatedType: 'conversation',
    relatedId: group.conversationId,
    extraData: {
      [JOB_IDS_KEY]: ids(jobs),
      message_ids: jobs.map((job) => job.messageId),
      message_count: jobs.length,
      recipient_type: group.recipient.type,
    },
  });
  if (error === null) {
    await queue.complete(ids(jobs), { workerId, status: 'sent', emailLogId: log.id, at: log.sentAt ?? now });
    return { jobIds: ids(jobs), outcome: 'sent', emailLogId: log.id };
  }
  const permanent = error.code === 'MAIL_PERMANENT' || error.code === 'VALIDATION';
  if (permanent || log.retryCount >= options.maxAttempts) {
    await queue.fail(ids(jobs), { workerId, error: error.message, emailLogId: log.id, at: now });
    return { jobIds: ids(jobs), outcome: 'failed', emailLogId: log.id };
  }
  const delay = retryDelayMs(log.retryCount, options, deps.random ?? Math.random);
  await queue.reschedule(ids(jobs), {
    workerId,
    availableAt: new Date(now.getTime() + delay),
    error: error.message,
    emailLogId: log.id,
    at: now,
  });
  return { jobIds: ids(jobs), outcome: 'retrying', emailLogId: log.id };
}

function ids(jobs: readonly NotificationJob[]): string[] {
  return jobs.map((job) => job.id);
}

function latestOf(messages: readonly Message[]): Message | null {
  let latest: Message | null = null;
  for (const m of messages) {
    if (
      latest === null ||
      m.createdAt.getTime() > latest.createdAt.getTime() ||
      (m.createdAt.getTime() === latest.createdAt.getTime() && m.id > latest.id)
    )
      latest = m;
  }
  return latest;
}
