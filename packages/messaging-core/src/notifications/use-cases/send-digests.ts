import type { AccessPolicy } from '../../conversations/policy/access-policy.js';
import type { ConversationSummary } from '../../conversations/use-cases/views.js';
import type { RenderEmailInput, RenderedEmail } from '../../email/email-templates-core.js';
import type { TemplateVariables } from '../../email/model/email-template.js';
import type { SendEmailInput, SendEmailResult } from '../../email/use-cases/send-email.js';
import { isMessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import { type Actor, type ParticipantRef, participantKey } from '../../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import { type DigestPeriod, dueDigest } from '../model/digest-schedule.js';
import type { DigestLedger, DigestRecord } from '../ports/digest-ledger.js';
import type { NotificationPreferencesRepository } from '../ports/notification-preferences-repository.js';
import {
  defaultInboxUrlTemplate,
  MESSAGE_PREVIEW_LENGTH,
  replyAudience,
  replyUrl,
  retryDelayMs,
} from './process-notifications.js';

/** The template of each digest period. */
export const DIGEST_TEMPLATES: Readonly<Record<DigestPeriod, string>> = {
  daily: 'digest_daily',
  weekly: 'digest_weekly',
};

export const DIGEST_DEFAULTS = {
  leaseMs: 2 * 60_000,
  maxAttempts: 5,
  backoffBaseMs: 60_000,
  backoffMaxMs: 60 * 60_000,
  /** Most conversations one digest lists (the count says how many are unread in all). */
  maxConversations: 20,
  /** Subscribers read per page while walking them. */
  pageSize: 200,
} as const;

export interface DigestOptions {
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly maxConversations?: number;
  readonly pageSize?: number;
}

export interface DigestDependencies extends DigestOptions {
  readonly preferences: Pick<NotificationPreferencesRepository, 'listDigestSubscribers'>;
  readonly ledger: DigestLedger;
  readonly directory: Pick<Directory, 'resolve'>;
  /**
   * The person's unread conversations as their inbox shows them (the messaging core's
   * `listConversations` with `unreadOnly`: only conversations and messages they may see), latest
   * first. The digest leaves out muted ones and those with email off.
   */
  readonly listUnread: (actor: Actor, limit: number) => Promise<readonly ConversationSummary[]>;
  /** `EmailTemplatesCore.renderEmail` (store overrides and the language fallback apply). */
  readonly renderEmail: (input: RenderEmailInput) => Promise<RenderedEmail>;
  /** `EmailCore.sendEmail`: the tenant's provider, failover and the email log. */
  readonly sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
  readonly publicUrl: string;
  readonly policy: Pick<AccessPolicy, 'definition'>;
  /** As the notification pipeline's (`reply_url` of each conversation). */
  readonly inboxUrlTemplate?: string;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface SendDigestsInput {
  readonly workerId: string;
  readonly now: Date;
}

export type DigestOutcome = 'sent' | 'empty' | 'skipped' | 'retrying' | 'failed' | 'lease_lost';

export interface SendDigestsResult {
  readonly digests: readonly {
    readonly participant: ParticipantRef;
    readonly period: DigestPeriod;
    readonly periodStart: string;
    readonly outcome: DigestOutcome;
    readonly emailLogId: string | null;
    readonly conversationCount: number;
    readonly error?: string;
  }[];
}

/** Render failures a retry cannot fix. */
const PERMANENT_RENDER_CODES: ReadonlySet<string> = new Set([
  'VALIDATION',
  'NOT_FOUND',
  'TEMPLATE_TIMEOUT',
  'TEMPLATE_TOO_LARGE',
]);

type Options = Required<DigestOptions>;

/**
 * One digest run: walks the people who chose `daily` or `weekly` email, and for each whose digest
 * is due at `now` in their time zone (`dueDigest`) claims it in the ledger — the unique key
 * (participant, period, local date) means one claim per person and period, whatever the number
 * of workers — then emails one digest listing their unread conversations (not muted, email on)
 * with the latest message's preview, from `digest_daily` / `digest_weekly` in their language with
 * their tenant's overrides, through their tenant's provider. Nothing unread: no email, the digest
 * is recorded `empty` (a message arriving later that day waits for the next period). No address:
 * `skipped`.
 *
 * The email log id is the digest's id, so a retried digest (a retryable provider failure, or a
 * worker that died after sending) never sends twice. Retryable failures wait with exponential
 * backoff and jitter, up to `maxAttempts` claims; permanent ones fail at once. Every ledger write
 * after the claim is fenced by the claim's token.
 *
 * One person's failure never stops the others: an unexpected error is recorded on their digest and
 * retried like a retryable send. Side effects: ledger rows, email logs and the emails.
 *
 * @example
 * ```ts
 * const { digests } = await sendDueDigests(deps, { workerId: 'worker-1', now: clock.now() });
 * ```
 */
export async function sendDueDigests(
  deps: DigestDependencies,
  input: SendDigestsInput,
): Promise<SendDigestsResult> {
  const options: Options = { ...DIGEST_DEFAULTS, ...defined(deps) };
  const results: SendDigestsResult['digests'][number][] = [];
  let after: ParticipantRef | null = null;
  for (;;) {
    const page = await deps.preferences.listDigestSubscribers({ after, limit: options.pageSize });
    for (const preferences of page) {
      const due = dueDigest(preferences, input.now);
      if (due === null) continue;
      const digest = await deps.ledger.claim({
        participant: preferences.participant,
        period: due.period,
        periodStart: due.periodStart,
        workerId: input.workerId,
        now: input.now,
        leaseMs: options.leaseMs,
        maxAttempts: options.maxAttempts,
      });
      if (digest === null) continue;
      results.push(await isolated(deps, options, digest));
    }
    if (page.length < options.pageSize) break;
    after = page.at(-1)?.participant ?? null;
  }
  return { digests: results };
}

function defined(deps: DigestOptions): DigestOptions {
  return Object.fromEntries(
    Object.entries({
      leaseMs: deps.leaseMs,
      maxAttempts: deps.maxAttempts,
      backoffBaseMs: deps.backoffBaseMs,
      backoffMaxMs: deps.backoffMaxMs,
      maxConversations: deps.maxConversations,
      pageSize: deps.pageSize,
    }).filter(([, value]) => value !== undefined),
  );
}

/** The variables of a digest template. */
export type DigestVariables = TemplateVariables;

/** Builds a digest's template variables from the person's unread conversations. */
export function digestVariables(
  deps: Pick<DigestDependencies, 'publicUrl' | 'policy' | 'inboxUrlTemplate'>,
  recipient: DirectoryEntry,
  period: DigestPeriod,
  conversations: readonly ConversationSummary[],
): DigestVariables {
  const audience = replyAudience(deps.policy.definition, recipient.ref.type);
  const template = deps.inboxUrlTemplate ?? defaultInboxUrlTemplate(deps.publicUrl);
  const items = conversations.map((summary) => {
    const last = summary.lastMessage;
    const sender =
      last === null
        ? null
        : (summary.otherParticipants.find((p) => participantKey(p.ref) === participantKey(last.sender))
            ?.name ?? null);
    const text = last === null || last.isDeleted ? '' : last.content.trim();
    const points = Array.from(text);
    return {
      subject: summary.conversation.subject,
      unread_count: summary.unreadCount,
      sender_name: sender ?? '',
      message_preview:
        points.length > MESSAGE_PREVIEW_LENGTH
          ? `${points.slice(0, MESSAGE_PREVIEW_LENGTH - 1).join('')}…`
          : text || '…',
      reply_url: replyUrl(template, audience, summary.conversation.id),
    };
  });
  return {
    recipient_name: recipient.name,
    period,
    conversation_count: items.length,
    unread_count: items.reduce((sum, item) => sum + item.unread_count, 0),
    inbox_url: `${deps.publicUrl.replace(/\/+$/, '')}/inbox`,
    conversations: items,
  };
}

/**
 * `sendOne`, with any unexpected error (a directory or inbox read, the template engine) recorded
 * on that digest — retried with backoff, `failed` after `maxAttempts` claims — so one person's
 * digest never stops the others of the run.
 */
async function isolated(deps: DigestDependencies, options: Options, digest: DigestRecord) {
  try {
    return await sendOne(deps, options, digest);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const now = (deps.clock ?? systemClock).now();
    const base = { participant: digest.participant, period: digest.period, periodStart: digest.periodStart };
    const applied =
      digest.attempts >= options.maxAttempts
        ? await deps.ledger.finish(digest.id, {
            leaseToken: digest.leaseToken,
            now,
            status: 'failed',
            emailLogId: null,
            conversationCount: 0,
            error: message,
          })
        : await deps.ledger.retry(digest.id, {
            leaseToken: digest.leaseToken,
            now,
            availableAt: new Date(
              now.getTime() + retryDelayMs(digest.attempts, options, deps.random ?? Math.random),
            ),
            emailLogId: null,
            error: message,
          });
    const outcome: DigestOutcome = !applied
      ? 'lease_lost'
      : digest.attempts >= options.maxAttempts
        ? 'failed'
        : 'retrying';
    return { ...base, outcome, emailLogId: null, conversationCount: 0, error: message };
  }
}

async function sendOne(deps: DigestDependencies, options: Options, digest: DigestRecord) {
  const clock = deps.clock ?? systemClock;
  const base = {
    participant: digest.participant,
    period: digest.period,
    periodStart: digest.periodStart,
  };
  const fence = () => ({ leaseToken: digest.leaseToken, now: clock.now() });
  const finish = async (
    status: 'sent' | 'empty' | 'skipped' | 'failed',
    emailLogId: string | null,
    conversationCount: number,
    error: string | null,
  ) => {
    const applied = await deps.ledger.finish(digest.id, {
      ...fence(),
      status,
      emailLogId,
      conversationCount,
      error,
    });
    return {
      ...base,
      outcome: applied ? status : ('lease_lost' as const),
      emailLogId,
      conversationCount,
      ...(error === null ? {} : { error }),
    };
  };

  const recipient = await deps.directory.resolve(digest.participant);
  if (recipient === null || recipient.email === null) return finish('skipped', null, 0, null);
  const actor: Actor = {
    type: digest.participant.type,
    id: digest.participant.id,
    tenantId: recipient.storeId,
    name: recipient.name,
  };
  const unread = (await deps.listUnread(actor, options.maxConversations)).filter(
    (summary) => summary.unreadCount > 0 && !summary.muted && summary.emailNotifications,
  );
  if (unread.length === 0) return finish('empty', null, 0, null);

  const variables = digestVariables(deps, recipient, digest.period, unread);
  let rendered: RenderedEmail;
  try {
    rendered = await deps.renderEmail({
      code: DIGEST_TEMPLATES[digest.period],
      language: recipient.locale,
      storeId: recipient.storeId,
      variables,
    });
  } catch (error) {
    if (!isMessagingError(error) || !PERMANENT_RENDER_CODES.has(error.code)) throw error;
    return finish('failed', null, 0, error.message);
  }
  const { log, error } = await deps.sendEmail({
    logId: digest.id,
    storeId: recipient.storeId,
    to: { address: recipient.email, name: recipient.name },
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    templateCode: rendered.templateCode,
    userId: digest.participant.id,
    relatedType: 'digest',
    relatedId: digest.id,
    storeSignature:
      deps.policy.definition.participantTypes.find((t) => t.type === digest.participant.type)
        ?.tenantSignature === true,
    extraData: {
      digest_period: digest.period,
      period_start: digest.periodStart,
      conversation_ids: unread.map((summary) => summary.conversation.id),
      recipient_type: digest.participant.type,
    },
  });
  if (error === null) return finish('sent', log.id, unread.length, null);
  const permanent = error.code === 'MAIL_PERMANENT' || error.code === 'VALIDATION';
  if (permanent || digest.attempts >= options.maxAttempts)
    return finish('failed', log.id, unread.length, error.message);
  const now = clock.now();
  const applied = await deps.ledger.retry(digest.id, {
    leaseToken: digest.leaseToken,
    now,
    availableAt: new Date(now.getTime() + retryDelayMs(digest.attempts, options, deps.random ?? Math.random)),
    emailLogId: log.id,
    error: error.message,
  });
  return {
    ...base,
    outcome: applied ? ('retrying' as const) : ('lease_lost' as const),
    emailLogId: log.id,
    conversationCount: unread.length,
    error: error.message,
  };
}
