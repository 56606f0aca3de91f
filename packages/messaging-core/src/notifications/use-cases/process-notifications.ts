import type { Message } from '../../conversations/model/message.js';
import type { AccessPolicy } from '../../conversations/policy/access-policy.js';
import type { PolicyDefinition } from '../../conversations/policy/policy-definition.js';
import type { ConversationRepository } from '../../conversations/ports/conversation-repository.js';
import type { MessageRepository } from '../../conversations/ports/message-repository.js';
import type { RenderEmailInput, RenderedEmail } from '../../email/email-templates-core.js';
import type { EmailLog } from '../../email/model/email-log.js';
import type { EmailLogRepository } from '../../email/ports/email-log-repository.js';
import type { SendEmailInput, SendEmailResult } from '../../email/use-cases/send-email.js';
import { isMessagingError } from '../../kernel/errors.js';
import { type Clock, systemClock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import type { NotificationJob } from '../model/notification-job.js';
import type { NotificationPreferencesRepository } from '../ports/notification-preferences-repository.js';
import type {
  FencedWriteResult,
  LeaseFence,
  NotificationGroup,
  NotificationQueue,
} from '../ports/notification-queue.js';
import { type ReplyAddressSettings, replyAddress } from './receive-inbound-reply.js';

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
  /** The preset's policy: each participant type's link `{audience}` and whether it gets the tenant's signature. */
  readonly policy: Pick<AccessPolicy, 'definition'>;
  /**
   * Where `reply_url` points: a URL with `{conversation_id}` and optionally `{audience}` (`admin`,
   * `store` or `storefront`). Default: `{publicUrl}/inbox/c/{conversation_id}`, the web inbox.
   */
  readonly inboxUrlTemplate?: string;
  /**
   * The current time for lease fencing (every write after the claim, and the check just before
   * sending). Defaults to the wall clock; pass the clock the run's `now` comes from.
   */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). Defaults to `Math.random`. */
  readonly random?: () => number;
  /**
   * Reply by email: when set, every email's Reply-To is the recipient's own reply address for the
   * conversation (`replyAddress`), so answering the email posts into the thread as them.
   */
  readonly replyAddresses?: ReplyAddressSettings;
  /**
   * People's global preferences: a recipient whose email frequency is not `immediate` (a digest
   * instead, or no email) gets no notification — their jobs end `skipped` at send time, so a
   * change applies to what is still queued (not to an email a killed worker had already begun:
   * that one is finished). Absent: everyone is `immediate`.
   */
  readonly preferences?: Pick<NotificationPreferencesRepository, 'find'>;
}

export interface ProcessNotificationsInput {
  readonly workerId: string;
  readonly now: Date;
  /** Most (recipient, conversation) groups handled in this run. */
  readonly limit: number;
}

/**
 * How one claimed group ended in this run. `lease_lost`: the lease ended before this worker was
 * done (it stalled past it); nothing was sent or written, the next holder handles the group.
 */
export type NotificationGroupOutcome =
  | 'sent'
  | 'deduplicated'
  | 'skipped'
  | 'retrying'
  | 'failed'
  | 'lease_lost';

export interface ProcessNotificationsResult {
  readonly groups: readonly {
    readonly recipient: NotificationGroup['recipient'];
    readonly conversationId: string;
    readonly jobIds: readonly string[];
    readonly outcome: NotificationGroupOutcome;
    readonly emailLogId: string | null;
    /** Why the group is `retrying` or `failed` (also recorded as the jobs' `lastError`). */
    readonly error?: string;
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
export function replyAudience(definition: PolicyDefinition, recipientType: string): string {
  return definition.participantTypes.find((t) => t.type === recipientType)?.audience ?? recipientType;
}

/** The placeholders an inbox URL template may use. */
export const INBOX_URL_PLACEHOLDERS = ['conversation_id', 'audience'] as const;

/** The default `reply_url` template: the web inbox served under the public URL. */
export function defaultInboxUrlTemplate(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/inbox/c/{conversation_id}`;
}

/**
 * The link a notification points to: the template with `{conversation_id}` and `{audience}`
 * replaced (URL-encoded).
 *
 * @example
 * ```ts
 * replyUrl('https://shop.example/account/messages/{conversation_id}', 'customer', 'c-1');
 * // "https://shop.example/account/messages/c-1"
 * ```
 */
export function replyUrl(template: string, audience: string, conversationId: string): string {
  return template
    .replaceAll('{conversation_id}', encodeURIComponent(conversationId))
    .replaceAll('{audience}', encodeURIComponent(audience));
}

/** What a notification says about its latest message. */
export interface MessagePreview {
  /** The text, cut to `MESSAGE_PREVIEW_LENGTH`; for a message with only files, `📎 name, name`. */
  readonly preview: string;
  readonly attachmentCount: number;
  /** The files' names as uploaded, comma-separated ('' when none). */
  readonly attachmentNames: string;
}

/**
 * The preview of a message: its text, or — for a message with only attachments — a paperclip
 * and the files' names, which read the same in every language (templates that want words use
 * `attachment_count` and `attachment_names`). Cut on code points, never inside an emoji.
 */
export function messagePreview(message: Pick<Message, 'content' | 'attachments'>): MessagePreview {
  const names = message.attachments.map((a) => a.originalFilename.trim() || a.filename);
  const text = message.content.trim();
  const preview = text !== '' ? text : names.length > 0 ? `📎 ${names.join(', ')}` : '…';
  const points = Array.from(preview);
  return {
    preview:
      points.length > MESSAGE_PREVIEW_LENGTH
        ? `${points.slice(0, MESSAGE_PREVIEW_LENGTH - 1).join('')}…`
        : preview,
    attachmentCount: names.length,
    attachmentNames: names.join(', '),
  };
}

/** A fenced write was refused: this worker no longer holds the group's lease. */
class LeaseLost extends Error {
  constructor() {
    super('the notification lease ended before this worker was done');
  }
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
 * never sends twice: a log already `sent` only completes the jobs it recorded. A log still
 * `pending` (the worker died or stalled between creating it and recording the provider's answer)
 * is sent again as it was composed — same recipient, subject, body, reply address, log row —
 * whatever changed since (preferences, addresses, deletions), so no log stays `pending`; if the
 * provider had already accepted it, the recipient gets it twice (at-least-once in that gap only:
 * nothing recorded that the provider had it). Retryable
 * failures are rescheduled with exponential backoff and jitter up to `maxAttempts`; permanent
 * ones fail at once.
 *
 * Messages deleted (or gone) before the run are not notified: their jobs are completed as
 * `skipped`, and a group left with none sends nothing. A message with only attachments previews
 * as `📎 file names` (see `messagePreview`).
 *
 * Groups are isolated: an unexpected error in one (a template engine, a directory lookup) is
 * recorded on that group's jobs — rescheduled with backoff, `failed` after `maxAttempts` claims —
 * and the run goes on with the others. Only a failure to record it (the queue's store down)
 * stops the run; the lease then expires and another run retries.
 *
 * Every write after the claim is fenced by the claim's lease token, and the lease is renewed in
 * one statement just before sending: a worker that stalled past its lease sends nothing and
 * writes nothing (`lease_lost`). Side effects: queue writes, email logs (through `sendEmail`),
 * and the emails.
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
    const handled = await isolated(deps, options, input, group);
    results.push({
      recipient: group.recipient,
      conversationId: group.conversationId,
      jobIds: handled.jobIds,
      outcome: handled.outcome,
      emailLogId: handled.emailLogId,
      ...(handled.error === undefined ? {} : { error: handled.error }),
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

interface GroupResult {
  readonly jobIds: string[];
  readonly outcome: NotificationGroupOutcome;
  readonly emailLogId: string | null;
  readonly error?: string;
}

/** `processGroup`, with a lost lease reported and any other error recorded on the group's jobs. */
async function isolated(
  deps: NotificationDependencies,
  options: Required<NotificationOptions>,
  input: ProcessNotificationsInput,
  group: NotificationGroup,
): Promise<GroupResult> {
  try {
    return await processGroup(deps, options, input, group);
  } catch (error) {
    if (error instanceof LeaseLost)
      return { jobIds: ids(group.jobs), outcome: 'lease_lost', emailLogId: null };
    const message = errorMessage(error);
    const jobIds = ids(group.jobs);
    const attempts = Math.max(...group.jobs.map((job) => job.attempts));
    const fence = fenceOf(deps, input, group);
    // Whatever is left pending here (folded or skipped jobs were already written) is recorded.
    const written: FencedWriteResult =
      attempts >= options.maxAttempts
        ? await deps.queue.fail(jobIds, { ...fence, error: message, emailLogId: null, at: input.now })
        : await deps.queue.reschedule(jobIds, {
            ...fence,
            availableAt: new Date(
              fence.now.getTime() + retryDelayMs(attempts, options, deps.random ?? Math.random),
            ),
            error: message,
            emailLogId: null,
            at: input.now,
          });
    if (written.applied.length === 0) return { jobIds, outcome: 'lease_lost', emailLogId: null };
    return {
      jobIds: [...written.applied],
      outcome: attempts >= options.maxAttempts ? 'failed' : 'retrying',
      emailLogId: null,
      error: message,
    };
  }
}

/** Runs a fenced write; a refusal means another worker owns the group now: stop here. */
async function held(jobIds: readonly string[], write: Promise<FencedWriteResult>): Promise<void> {
  const { applied } = await write;
  if (applied.length < jobIds.length) throw new LeaseLost();
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 2000 ? `${message.slice(0, 1997)}...` : message;
}

function fenceOf(deps: NotificationDependencies, input: ProcessNotificationsInput, group: NotificationGroup) {
  const clock = deps.clock ?? systemClock;
  return { workerId: input.workerId, leaseToken: group.leaseToken, now: clock.now() };
}

async function processGroup(
  deps: NotificationDependencies,
  options: Required<NotificationOptions>,
  input: ProcessNotificationsInput,
  group: NotificationGroup,
): Promise<GroupResult> {
  const { queue } = deps;
  const now = input.now;
  const first = group.jobs[0];
  if (first === undefined) return { jobIds: [], outcome: 'skipped', emailLogId: null };
  let jobs: readonly NotificationJob[] = group.jobs;
  /** The fence at this instant: each write checks the lease as of when it is made. */
  const fence = (): LeaseFence => fenceOf(deps, input, group);
  // Jobs that arrived after an email was composed wait for the next one, released now.
  const foldIntoNextEmail = async (later: readonly NotificationJob[]): Promise<void> => {
    if (later.length === 0) return;
    const write = queue.reschedule(ids(later), {
      ...fence(),
      availableAt: now,
      error: 'folded into the next email',
      emailLogId: null,
      at: now,
    });
    await held(ids(later), write);
  };

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
      if (covering.length > 0)
        await held(
          covering,
          queue.complete(covering, { ...fence(), status: 'sent', emailLogId: log.id, at: log.sentAt ?? now }),
        );
    }
    await foldIntoNextEmail(jobs.filter((job) => !done.includes(job.id)));
    return { jobIds: done, outcome: 'deduplicated', emailLogId: sentLogs[0]?.id ?? null };
  }

  // An interrupted attempt (its log still `pending`: the worker died or stalled between creating
  // the log and recording the provider's answer) is finished as it was composed, whatever changed
  // since — a preference, the address, a deletion — as the uninterrupted run would have; deciding
  // afresh could skip it and leave the log `pending` for good. Later jobs go into the next email.
  const interrupted = previousLogs.find((log) => log.status === 'pending') ?? null;
  if (interrupted !== null) {
    const covered = coveredJobIds(interrupted);
    covered.add(interrupted.id);
    await foldIntoNextEmail(jobs.filter((job) => !covered.has(job.id)));
    return finishSend(
      deps,
      options,
      input,
      group,
      jobs.filter((job) => covered.has(job.id)),
      await resendInput(deps, group, interrupted),
    );
  }

  // A failed attempt of this group: retry it on the same log row, with the jobs it recorded, so
  // the log always describes the email; later jobs go into the next email.
  const logId = first.id;
  const previous = previousLogs.find((log) => log.id === logId) ?? null;
  if (previous !== null) {
    const covered = coveredJobIds(previous);
    const later = jobs.filter((job) => !covered.has(job.id));
    jobs = jobs.filter((job) => covered.has(job.id));
    await foldIntoNextEmail(later);
  }

  const recipient = await deps.directory.resolve(group.recipient);
  const frequency = (await deps.preferences?.find(group.recipient))?.emailFrequency ?? 'immediate';
  if (
    recipient === null ||
    recipient.email === null ||
    recipient.email.trim() === '' ||
    frequency !== 'immediate'
  ) {
    await held(
      ids(jobs),
      queue.complete(ids(jobs), { ...fence(), status: 'skipped', emailLogId: null, at: now }),
    );
    return { jobIds: ids(jobs), outcome: 'skipped', emailLogId: null };
  }

  // A message deleted (or gone) before this run has nothing left to notify about: its job is
  // skipped, and the email, if any, covers the others.
  const found = await Promise.all(
    jobs.map(async (job) => ({
      job,
      message: await deps.messages.findById(job.conversationId, job.messageId),
    })),
  );
  const gone = found.filter(({ message }) => message === null || message.isDeleted).map(({ job }) => job);
  if (gone.length > 0) {
    await held(
      ids(gone),
      queue.complete(ids(gone), { ...fence(), status: 'skipped', emailLogId: null, at: now }),
    );
    jobs = jobs.filter((job) => !gone.includes(job));
    if (jobs.length === 0) return { jobIds: ids(gone), outcome: 'skipped', emailLogId: null };
  }
  const messages = found.flatMap(({ message }) => (message === null || message.isDeleted ? [] : [message]));

  let rendered: RenderedEmail;
  let variables: Record<string, string | number>;
  try {
    const conversation = await deps.conversations.findById(group.conversationId);
    const latest = latestOf(messages);
    const sender = latest === null ? null : await deps.directory.resolve(latest.sender);
    const preview = latest === null ? null : messagePreview(latest);
    variables = {
      conversation_subject: conversation?.subject ?? '',
      sender_name: sender?.name ?? latest?.sender.id ?? '',
      message_preview: preview?.preview ?? '',
      attachment_count: preview?.attachmentCount ?? 0,
      attachment_names: preview?.attachmentNames ?? '',
      reply_url: replyUrl(
        deps.inboxUrlTemplate ?? defaultInboxUrlTemplate(deps.publicUrl),
        replyAudience(deps.policy.definition, group.recipient.type),
        group.conversationId,
      ),
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
    await held(
      ids(jobs),
      queue.fail(ids(jobs), { ...fence(), error: error.message, emailLogId: null, at: now }),
    );
    return { jobIds: ids(jobs), outcome: 'failed', emailLogId: null, error: error.message };
  }

  const replyTo =
    deps.replyAddresses === undefined
      ? null
      : replyAddress(deps.replyAddresses, group.recipient, group.conversationId, now);
  return finishSend(deps, options, input, group, jobs, {
    logId,
    storeId: group.storeId,
    to: { address: recipient.email, name: recipient.name },
    ...(replyTo === null ? {} : { replyTo: { address: replyTo } }),
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    templateCode: rendered.templateCode,
    userId: group.recipient.id,
    relatedType: 'conversation',
    relatedId: group.conversationId,
    // The store's signature is for the store's customers, not for its staff or the platform.
    storeSignature:
      deps.policy.definition.participantTypes.find((t) => t.type === group.recipient.type)
        ?.tenantSignature === true,
    extraData: {
      [JOB_IDS_KEY]: ids(jobs),
      message_ids: jobs.map((job) => job.messageId),
      message_count: jobs.length,
      recipient_type: group.recipient.type,
    },
  });
}

/**
 * The log an interrupted attempt left, as the email to send again: the same recipient, subject,
 * body (the signature already in it) and reply address, on the same row. The display name is the
 * directory's, when it still knows the recipient at that address.
 */
async function resendInput(
  deps: NotificationDependencies,
  group: NotificationGroup,
  log: EmailLog,
): Promise<SendEmailInput> {
  const known = await deps.directory.resolve(group.recipient);
  const name = known?.email?.trim() === log.recipient ? known.name : undefined;
  return {
    logId: log.id,
    storeId: log.storeId,
    to: name === undefined ? { address: log.recipient } : { address: log.recipient, name },
    ...(log.replyTo === null ? {} : { replyTo: { address: log.replyTo } }),
    subject: log.subject,
    text: log.bodyText,
    ...(log.bodyHtml === null ? {} : { html: log.bodyHtml }),
    ...(log.templateCode === null ? {} : { templateCode: log.templateCode }),
    ...(log.userId === null ? {} : { userId: log.userId }),
    ...(log.relatedType === null ? {} : { relatedType: log.relatedType }),
    ...(log.relatedId === null ? {} : { relatedId: log.relatedId }),
    storeSignature: false,
    extraData: log.extraData,
  };
}

/**
 * The "mark sending" step, the send and its outcome on the jobs: the lease is renewed for the
 * send in one statement (a worker that stalled past its lease stops here — another worker may be
 * sending this very email), then the jobs complete, fail, or wait for their retry with backoff.
 */
async function finishSend(
  deps: NotificationDependencies,
  options: Required<NotificationOptions>,
  input: ProcessNotificationsInput,
  group: NotificationGroup,
  jobs: readonly NotificationJob[],
  email: SendEmailInput,
): Promise<GroupResult> {
  const { queue } = deps;
  const now = input.now;
  const fence = (): LeaseFence => fenceOf(deps, input, group);
  await held(ids(jobs), queue.renewLease(ids(jobs), { ...fence(), leaseMs: options.leaseMs }));
  const { log, error } = await deps.sendEmail(email);
  if (error === null) {
    await held(
      ids(jobs),
      queue.complete(ids(jobs), { ...fence(), status: 'sent', emailLogId: log.id, at: log.sentAt ?? now }),
    );
    return { jobIds: ids(jobs), outcome: 'sent', emailLogId: log.id };
  }
  const permanent = error.code === 'MAIL_PERMANENT' || error.code === 'VALIDATION';
  if (permanent || log.retryCount >= options.maxAttempts) {
    await held(
      ids(jobs),
      queue.fail(ids(jobs), { ...fence(), error: error.message, emailLogId: log.id, at: now }),
    );
    return { jobIds: ids(jobs), outcome: 'failed', emailLogId: log.id, error: error.message };
  }
  const delay = retryDelayMs(log.retryCount, options, deps.random ?? Math.random);
  await held(
    ids(jobs),
    queue.reschedule(ids(jobs), {
      ...fence(),
      availableAt: new Date(now.getTime() + delay),
      error: error.message,
      emailLogId: log.id,
      at: now,
    }),
  );
  return { jobIds: ids(jobs), outcome: 'retrying', emailLogId: log.id, error: error.message };
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
