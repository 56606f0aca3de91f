import type { WebhookReplayClaim, WebhookReplayGuard } from '../ports/webhook-replay-guard.js';

/**
 * Webhook replay claims in a map: one process only (a second API instance, or this one after a
 * restart, would accept a replay) — for tests and the in-memory composition. `rows` is the raw
 * storage the contract suite reads: `provider\u0000token` → expiry.
 *
 * @example
 * ```ts
 * const webhook = new MailgunWebhook({ signingKey, replayGuard: new InMemoryWebhookReplayGuard() });
 * ```
 */
export class InMemoryWebhookReplayGuard implements WebhookReplayGuard {
  // Map keeps insertion order, which is nearly expiry order: pruning stops at the first live one.
  readonly rows = new Map<string, Date>();

  async claim(claim: WebhookReplayClaim): Promise<boolean> {
    const now = claim.now.getTime();
    for (const [key, expiresAt] of this.rows) {
      if (expiresAt.getTime() > now) break;
      this.rows.delete(key);
    }
    const key = `${claim.provider}\u0000${claim.token}`;
    const known = this.rows.get(key);
    if (known !== undefined && known.getTime() > now) return false;
    this.rows.delete(key);
    this.rows.set(key, new Date(claim.expiresAt));
    return true;
  }
}
