import type { ModerationVerdict } from '../model/moderation.js';
import type { ContentModerator, ModerationRequest } from '../ports/content-moderator.js';

/** What happens when a moderator fails or runs past its time limit. */
export type ModerationFailureMode = 'fail_open' | 'fail_closed';

/** One moderator in the chain, with its limit and failure behaviour. */
export interface ModeratorEntry {
  readonly moderator: ContentModerator;
  /** Milliseconds before the moderator counts as failed (its `signal` is then aborted). */
  readonly timeoutMs: number;
  /**
   * `fail_open`: a failure lets the content through (as if it allowed it); `fail_closed`: a
   * failure holds the message for review — never a silent loss, never an unchecked delivery.
   */
  readonly onFailure: ModerationFailureMode;
}

/** The chain's verdict: the content to store and what to do with it. */
export interface ModerationOutcome {
  /** `allow`, `reject`, or the strongest of the `flag` / `hold` verdicts. */
  readonly action: 'allow' | 'reject' | 'flag' | 'hold';
  /** The content after every rewrite (the input when none rewrote it). */
  readonly content: string;
  /** Why (reject, flag, hold), from the moderator that decided; null for allow. */
  readonly reason: string | null;
  /** True when some moderator rewrote the content. */
  readonly rewritten: boolean;
}

/** The chain, as the use cases call it. */
export interface ModerationChain {
  moderate(request: Omit<ModerationRequest, 'signal'>): Promise<ModerationOutcome>;
}

class ModeratorTimeout extends Error {}

/**
 * Runs moderators in order. Each sees the content as the previous ones rewrote it. The first
 * `reject` ends the chain (nothing is stored); `hold` wins over `flag` (the first reason of the
 * strongest kind is kept); a rewrite carries on with the new content (its reason is kept only
 * when nothing stronger comes). A moderator that throws or passes `timeoutMs` is treated per its
 * `onFailure`: `fail_open` allows, `fail_closed` holds (reason `moderator <name> unavailable`).
 * The allow path costs one call per moderator and no timer left behind.
 *
 * @example
 * ```ts
 * const chain = composeModerators([
 *   { moderator: wordList, timeoutMs: 50, onFailure: 'fail_open' },
 *   { moderator: remoteClassifier, timeoutMs: 300, onFailure: 'fail_closed' },
 * ]);
 * const outcome = await chain.moderate({ kind: 'send', tenantId, conversationId, sender, content, settings });
 * ```
 */
export function composeModerators(entries: readonly ModeratorEntry[]): ModerationChain {
  return {
    async moderate(request) {
      let content = request.content;
      let rewritten = false;
      let held: string | null = null;
      let flagged: string | null = null;
      for (const entry of entries) {
        const verdict = await runOne(entry, { ...request, content });
        switch (verdict.action) {
          case 'allow':
            break;
          case 'reject':
            return { action: 'reject', content, reason: verdict.reason, rewritten };
          case 'hold':
            held ??= verdict.reason;
            break;
          case 'flag':
            flagged ??= verdict.reason;
            break;
          case 'rewrite':
            if (verdict.content !== content) {
              content = verdict.content;
              rewritten = true;
            }
            break;
        }
      }
      if (held !== null) return { action: 'hold', content, reason: held, rewritten };
      if (flagged !== null) return { action: 'flag', content, reason: flagged, rewritten };
      return { action: 'allow', content, reason: null, rewritten };
    },
  };
}

async function runOne(
  entry: ModeratorEntry,
  request: Omit<ModerationRequest, 'signal'>,
): Promise<ModerationVerdict> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ModeratorTimeout(`moderator ${entry.moderator.name} timed out`));
    }, entry.timeoutMs);
  });
  try {
    return await Promise.race([entry.moderator.moderate({ ...request, signal: controller.signal }), timeout]);
  } catch {
    return entry.onFailure === 'fail_open'
      ? { action: 'allow' }
      : { action: 'hold', reason: `moderator ${entry.moderator.name} unavailable` };
  } finally {
    clearTimeout(timer);
  }
}
