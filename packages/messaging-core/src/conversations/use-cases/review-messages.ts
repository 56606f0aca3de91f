import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '../../kernel/paging/cursor-codec.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import type { Message } from '../model/message.js';
import {
  MAX_MODERATION_TERM_LENGTH,
  MAX_MODERATION_TERMS,
  MODERATION_MATCH_ACTIONS,
  type ModerationMatchAction,
  type ModerationSettings,
  type ModerationState,
} from '../model/moderation.js';
import { requireCapability } from '../policy/require-capability.js';
import type { CoreContext } from './context.js';
import { moderationSettingsFor } from './moderate-content.js';
import { displayName, namesFor, type ParticipantView } from './views.js';

const QUEUE_CURSOR = 'mq1';
const MAX_REASON_LENGTH = 500;

/** One message as reviewers see it: whatever its state, with its content and the decision. */
export interface ModerationItemView {
  readonly messageId: string;
  readonly conversationId: string;
  readonly tenantId: string | null;
  readonly seq: number;
  readonly sender: ParticipantView;
  readonly content: string;
  readonly attachmentCount: number;
  readonly createdAt: Date;
  readonly state: ModerationState;
  readonly reason: string | null;
  readonly reviewedBy: ParticipantView | null;
  readonly reviewedAt: Date | null;
}

export interface ModerationQueueInput {
  /** `flagged` or `held`; absent: both. */
  readonly state?: unknown;
  /** A platform reviewer's tenant filter; a tenant-bound reviewer sees their own tenant only. */
  readonly tenantId?: string;
  readonly conversationId?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface ModerationQueueList {
  readonly items: readonly ModerationItemView[];
  readonly nextCursor: string | null;
}

function notFoundForReviewers(): MessagingError {
  // Someone who may not review sees no queue at all: answered like a missing resource.
  return MessagingError.notFound('moderation queue', '');
}

/**
 * The review queue: messages `flagged` or `held` by moderation, newest first, in keyset pages
 * (`cursor`), filtered by `state`, tenant and conversation — for those the policy allows
 * (`moderate_messages`; a tenant-bound reviewer sees their own tenant only). Anyone else gets
 * `NOT_FOUND`. Reads only.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = await core.listModerationQueue(admin, { state: 'held', limit: 20 });
 * ```
 */
export async function listModerationQueue(
  ctx: CoreContext,
  actor: Actor,
  input: ModerationQueueInput = {},
): Promise<ModerationQueueList> {
  const tenantBound = ctx.policy.isTenantBound(actor.type);
  if (tenantBound && input.tenantId !== undefined && input.tenantId !== actor.tenantId)
    throw notFoundForReviewers();
  const tenantId = tenantBound ? (actor.tenantId ?? undefined) : input.tenantId;
  if (!ctx.policy.allows(actor, 'moderate_messages', tenantId === undefined ? {} : { tenantId }).allowed)
    throw notFoundForReviewers();
  const limit = parseLimit(input.limit, 50);
  if (input.state !== undefined && input.state !== 'flagged' && input.state !== 'held')
    throw MessagingError.validation('state', 'state must be flagged or held');
  const states: readonly ('flagged' | 'held')[] =
    input.state === undefined ? ['flagged', 'held'] : [input.state as 'flagged' | 'held'];
  const after = input.cursor === undefined ? undefined : decodeTimeIdCursor(input.cursor, [QUEUE_CURSOR]);
  const page = await ctx.store.messages.moderationQueue({
    states,
    limit,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(input.conversationId === undefined ? {} : { conversationId: input.conversationId }),
    ...(after === undefined ? {} : { after }),
  });
  const items = await itemViews(
    ctx,
    actor,
    page.items.map((i) => ({ message: i.message, tenantId: i.tenantId })),
  );
  const last = page.items.at(-1)?.message;
  return {
    items,
    nextCursor:
      page.hasMore && last !== undefined
        ? encodeTimeIdCursor(QUEUE_CURSOR, { createdAt: last.createdAt, id: last.id })
        : null,
  };
}

export interface ReviewMessageInput {
  readonly messageId: string;
  readonly decision: 'approved' | 'rejected';
  /** The reviewer's reason; required to reject (the sender sees it), at most 500 characters. */
  readonly reason?: unknown;
}

/**
 * A reviewer's decision on a `flagged` or `held` message, for those the policy allows
 * (`moderate_messages` for the message's tenant; anyone else: `NOT_FOUND`, as for a missing
 * message). In one transaction: the state becomes `approved` or `rejected`
 * (`MessageRepository.review`: approving a held message delivers it — unread counts, inbox — and
 * rejecting a flagged one takes it back from the others), and `message.approved` /
 * `message.rejected` is recorded; the approved held message then reaches its recipients as a
 * send would (notification emails, real-time frames, webhooks read that event). A message not
 * waiting for review is a `CONFLICT`; a rejection needs a `reason` (`VALIDATION`).
 *
 * @example
 * ```ts
 * await core.reviewMessage(admin, { messageId, decision: 'rejected', reason: 'Spam' });
 * ```
 */
export async function reviewMessage(
  ctx: CoreContext,
  actor: Actor,
  input: ReviewMessageInput,
): Promise<ModerationItemView> {
  const reason = parseReason(input.reason, input.decision === 'rejected');
  const conversationId = await ctx.store.messages.locate(input.messageId);
  const conversation =
    conversationId === null ? null : await ctx.store.conversations.findById(conversationId);
  if (
    conversation === null ||
    !ctx.policy.allows(actor, 'moderate_messages', { tenantId: conversation.tenantId }).allowed ||
    (ctx.policy.isTenantBound(actor.type) && conversation.tenantId !== actor.tenantId)
  )
    throw MessagingError.notFound('message', input.messageId);
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  const result = await ctx.store.transaction(async (tx) => {
    const reviewed = await tx.messages.review(conversation.id, input.messageId, {
      decision: input.decision,
      reason,
      by,
      at: now,
    });
    if (reviewed.status !== 'reviewed') return reviewed;
    const envelope = {
      occurredAt: now,
      actor: by,
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      message: reviewed.message,
      previousState: reviewed.previousState,
    };
    await tx.events.append([
      input.decision === 'approved'
        ? { ...envelope, type: 'message.approved' }
        : { ...envelope, type: 'message.rejected', reason },
    ]);
    return reviewed;
  });
  switch (result.status) {
    case 'not_found':
      throw MessagingError.notFound('message', input.messageId);
    case 'not_pending':
      throw new MessagingError('CONFLICT', `message ${input.messageId} is not waiting for review`);
    case 'reviewed': {
      const [view] = await itemViews(ctx, actor, [
        { message: result.message, tenantId: conversation.tenantId },
      ]);
      if (view === undefined) throw new MessagingError('INTERNAL', 'reviewed message has no view');
      return view;
    }
  }
}

function parseReason(value: unknown, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw MessagingError.validation('reason', 'reason is required to reject a message');
    return null;
  }
  if (typeof value !== 'string') throw MessagingError.validation('reason', 'reason must be a string');
  const trimmed = value.trim();
  if (trimmed === '' && required) throw MessagingError.validation('reason', 'reason must not be empty');
  if (Array.from(trimmed).length > MAX_REASON_LENGTH)
    throw MessagingError.validation('reason', `reason must be at most ${MAX_REASON_LENGTH} characters`);
  return trimmed === '' ? null : trimmed;
}

async function itemViews(
  ctx: CoreContext,
  actor: Actor,
  items: readonly { readonly message: Message; readonly tenantId: string | null }[],
): Promise<ModerationItemView[]> {
  const names = await namesFor(
    ctx.directory,
    items.flatMap(({ message }) => [
      message.sender,
      ...(message.moderation?.reviewedBy ? [message.moderation.reviewedBy] : []),
    ]),
    actor,
  );
  const view = (ref: { type: string; id: string }): ParticipantView => ({
    ref: { type: ref.type, id: ref.id },
    name: displayName(names, ref),
  });
  return items.map(({ message, tenantId }) => ({
    messageId: message.id,
    conversationId: message.conversationId,
    tenantId,
    seq: message.seq,
    sender: view(message.sender),
    content: message.isDeleted ? '' : message.content,
    attachmentCount: message.attachments.length,
    createdAt: message.createdAt,
    state: message.moderation?.state ?? 'approved',
    reason: message.moderation?.reason ?? null,
    reviewedBy: message.moderation?.reviewedBy ? view(message.moderation.reviewedBy) : null,
    reviewedAt: message.moderation?.reviewedAt ?? null,
  }));
}

/**
 * A tenant's moderation configuration as it applies (its own, else the preset's defaults), for
 * those the policy allows (`manage_tenant_moderation` on that tenant: `FORBIDDEN` otherwise).
 * Reads only.
 */
export async function getModerationSettings(
  ctx: CoreContext,
  actor: Actor,
  tenantId: string,
): Promise<ModerationSettings> {
  requireCapability(ctx.policy, actor, 'manage_tenant_moderation', { tenantId });
  const settings = await moderationSettingsFor(ctx, tenantId);
  if (settings === null) throw new MessagingError('INTERNAL', 'moderation is not configured');
  return settings;
}

/**
 * Changes a tenant's moderation configuration: the fields given replace those in force (the
 * tenant's own, else the preset's defaults), the rest stay; the whole result is stored
 * (`ModerationSettingsRepository.put`). Validated first (`VALIDATION` naming the field: actions,
 * booleans, at most 500 terms of at most 100 characters). For those the policy allows
 * (`manage_tenant_moderation` on that tenant: `FORBIDDEN` otherwise). Applies to the next
 * message (other API processes: within their cache's 30 s).
 *
 * @example
 * ```ts
 * await core.updateModerationSettings(storeUser, 'store-1', { contactDetails: { action: 'hold' } });
 * ```
 */
export async function updateModerationSettings(
  ctx: CoreContext,
  actor: Actor,
  tenantId: string,
  input: unknown,
): Promise<ModerationSettings> {
  const current = await getModerationSettings(ctx, actor, tenantId);
  const next = mergeModerationSettings(current, input);
  if (ctx.moderation === undefined) throw new MessagingError('INTERNAL', 'moderation is not configured');
  await ctx.moderation.settings.put(tenantId, next, ctx.clock.now());
  return next;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw MessagingError.validation(field, `${field} must be an object`);
  return value as Record<string, unknown>;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw MessagingError.validation(field, `${field} must be true or false`);
  return value;
}

function action(value: unknown, field: string, fallback: ModerationMatchAction): ModerationMatchAction {
  if (value === undefined) return fallback;
  if (!(MODERATION_MATCH_ACTIONS as readonly unknown[]).includes(value))
    throw MessagingError.validation(field, `${field} must be one of ${MODERATION_MATCH_ACTIONS.join(', ')}`);
  return value as ModerationMatchAction;
}

function terms(value: unknown, field: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw MessagingError.validation(field, `${field} must be a list of words`);
  if (value.length > MAX_MODERATION_TERMS)
    throw MessagingError.validation(field, `${field} may hold at most ${MAX_MODERATION_TERMS} terms`);
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') throw MessagingError.validation(field, `${field} must be a list of words`);
    const term = item.trim().toLowerCase();
    if (term === '' || Array.from(term).length > MAX_MODERATION_TERM_LENGTH)
      throw MessagingError.validation(
        field,
        `${field} terms must be 1 to ${MAX_MODERATION_TERM_LENGTH} characters`,
      );
    if (!out.includes(term)) out.push(term);
  }
  return out;
}

/** `current` with the fields of `input` (validated) replacing its own. */
export function mergeModerationSettings(current: ModerationSettings, input: unknown): ModerationSettings {
  const body = record(input, 'body');
  const wl = body.word_list === undefined ? {} : record(body.word_list, 'word_list');
  const cd = body.contact_details === undefined ? {} : record(body.contact_details, 'contact_details');
  for (const key of Object.keys(body))
    if (key !== 'word_list' && key !== 'contact_details')
      throw MessagingError.validation(key, `${key} is not a moderation setting`);
  return {
    wordList: {
      enabled: bool(wl.enabled, 'word_list.enabled', current.wordList.enabled),
      action: action(wl.action, 'word_list.action', current.wordList.action),
      addedTerms: terms(wl.added_terms, 'word_list.added_terms', current.wordList.addedTerms),
      allowedTerms: terms(wl.allowed_terms, 'word_list.allowed_terms', current.wordList.allowedTerms),
    },
    contactDetails: {
      enabled: bool(cd.enabled, 'contact_details.enabled', current.contactDetails.enabled),
      action: action(cd.action, 'contact_details.action', current.contactDetails.action),
      emails: bool(cd.emails, 'contact_details.emails', current.contactDetails.emails),
      phones: bool(cd.phones, 'contact_details.phones', current.contactDetails.phones),
      links: bool(cd.links, 'contact_details.links', current.contactDetails.links),
    },
  };
}
