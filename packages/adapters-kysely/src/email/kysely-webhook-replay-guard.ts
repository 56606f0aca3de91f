import type { WebhookReplayClaim, WebhookReplayGuard } from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import type { Database } from '../database-types.js';

export interface KyselyWebhookReplayGuardConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

/**
 * Webhook replay claims in PostgreSQL (`webhook_replay_tokens`, migration
 * `0012_shared_alert_state`), so a signed webhook accepted by one API instance is refused by
 * every other and after a restart. A claim is one `insert … on conflict (provider, token) do
 * update … where expires_at <= now`: a row comes back only when the token was new or its
 * earlier claim had expired, and the primary key makes concurrent claims of one token serialize
 * (exactly one wins). Expired rows are then deleted (`expires_at` is indexed).
 *
 * @example
 * ```ts
 * const webhook = new MailgunWebhook({ signingKey, replayGuard: new KyselyWebhookReplayGuard({ db: database.db }) });
 * ```
 */
export class KyselyWebhookReplayGuard implements WebhookReplayGuard {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyWebhookReplayGuardConfig) {
    this.#db = config.db;
  }

  async claim(claim: WebhookReplayClaim): Promise<boolean> {
    const claimed = await this.#db
      .insertInto('webhook_replay_tokens')
      .values({ provider: claim.provider, token: claim.token, expires_at: claim.expiresAt })
      .onConflict((oc) =>
        oc
          .columns(['provider', 'token'])
          .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
          .where('webhook_replay_tokens.expires_at', '<=', claim.now),
      )
      .returning('token')
      .executeTakeFirst();
    await this.#db.deleteFrom('webhook_replay_tokens').where('expires_at', '<=', claim.now).execute();
    return claimed !== undefined;
  }
}
