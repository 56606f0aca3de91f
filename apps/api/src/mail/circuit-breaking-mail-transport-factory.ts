import {
  isMessagingError,
  type MailSendResult,
  type MailTransport,
  type MailTransportFactory,
  MessagingError,
  type OutboundEmail,
  type RaiseAdminNotificationInput,
  type StoreMailTransportConfig,
} from '@parley/messaging-core';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';

/** A breaker that opened or closed: which transport, and the error that opened it. */
export interface MailCircuitChange {
  readonly state: 'open' | 'closed';
  /** The store whose own provider it guards; null for the platform's transport. */
  readonly storeId: string | null;
  readonly provider: string;
  /** Consecutive retryable failures that opened it (`open` only). */
  readonly failures?: number;
  /** The last of those failures (`open` only). */
  readonly error?: string;
}

export interface CircuitBreakerSettings {
  /** Consecutive `MAIL_RETRYABLE` failures that open a transport's breaker. */
  readonly failures: number;
  /** Time an open breaker refuses sends before letting one through to test the provider. */
  readonly cooldownMs: number;
  /** Told when a breaker opens or closes again (admin notifications); must not throw. */
  readonly onChange: (change: MailCircuitChange) => void;
}

interface Guarded {
  readonly policy: CircuitBreakerPolicy;
  readonly storeId: string | null;
  readonly provider: string;
  lastError: string;
  /** Open since the last close: a failed half-open probe is the same outage. */
  reopening: boolean;
}

/**
 * Puts every transport the inner factory builds behind a circuit breaker (cockatiel): after
 * `failures` consecutive `MAIL_RETRYABLE` failures the breaker opens and a send fails at once
 * with `MAIL_RETRYABLE` (`details.circuit: 'open'`) without reaching the provider, so the email
 * core sends through the store's fallback immediately instead of waiting for another timeout.
 * After `cooldownMs` one send is let through (half-open): success closes the breaker, a failure
 * opens it for another cool-down. Permanent failures (a rejected recipient) never count.
 *
 * One breaker per store and provider, and one for the platform's transport, kept in this
 * process: each instance learns about an outage from its own sends within `failures` attempts,
 * and the admin notifications `onChange` raises are deduplicated in the database (one unread
 * notification per store and issue), so N instances opening their breakers make one alert.
 *
 * @example
 * ```ts
 * const transports = new CircuitBreakingMailTransportFactory(new AdapterMailTransportFactory(…), {
 *   failures: 5, cooldownMs: 60_000, onChange: (change) => log.warn(change, 'mail circuit'),
 * });
 * ```
 */
export class CircuitBreakingMailTransportFactory implements MailTransportFactory {
  readonly #inner: MailTransportFactory & { close?(): Promise<void> };
  readonly #settings: CircuitBreakerSettings;
  readonly #breakers = new Map<string, Guarded>();

  constructor(inner: MailTransportFactory & { close?(): Promise<void> }, settings: CircuitBreakerSettings) {
    this.#inner = inner;
    this.#settings = settings;
  }

  forStore(config: StoreMailTransportConfig): MailTransport {
    return this.#guard(this.#inner.forStore(config), config.storeId);
  }

  platformDefault(): MailTransport {
    return this.#guard(this.#inner.platformDefault(), null);
  }

  /** `open`, `half-open` or `closed` for a store's provider (or the platform's transport). */
  stateOf(storeId: string | null, provider: string): 'open' | 'half-open' | 'closed' {
    const state = this.#breakers.get(breakerKey(storeId, provider))?.policy.state;
    if (state === CircuitState.Open || state === CircuitState.Isolated) return 'open';
    return state === CircuitState.HalfOpen ? 'half-open' : 'closed';
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  #breaker(storeId: string | null, provider: string): Guarded {
    const key = breakerKey(storeId, provider);
    let guarded = this.#breakers.get(key);
    if (guarded === undefined) {
      const policy = circuitBreaker(
        handleWhen((error) => isMessagingError(error) && error.code === 'MAIL_RETRYABLE'),
        {
          halfOpenAfter: this.#settings.cooldownMs,
          breaker: new ConsecutiveBreaker(this.#settings.failures),
        },
      );
      const created: Guarded = { policy, storeId, provider, lastError: '', reopening: false };
      policy.onFailure(({ reason }) => {
        if ('error' in reason)
          created.lastError = reason.error instanceof Error ? reason.error.message : String(reason.error);
      });
      policy.onBreak(() => {
        // A failed half-open probe opens it again: that is the same outage, reported once.
        if (created.reopening) return;
        created.reopening = true;
        this.#settings.onChange({
          state: 'open',
          storeId,
          provider,
          failures: this.#settings.failures,
          error: created.lastError,
        });
      });
      policy.onReset(() => {
        created.reopening = false;
        this.#settings.onChange({ state: 'closed', storeId, provider });
      });
      guarded = created;
      this.#breakers.set(key, guarded);
    }
    return guarded;
  }

  #guard(transport: MailTransport, storeId: string | null): MailTransport {
    const guarded = this.#breaker(storeId, transport.provider);
    return {
      provider: transport.provider,
      send: async (email: OutboundEmail): Promise<MailSendResult> => {
        try {
          return await guarded.policy.execute(() => transport.send(email));
        } catch (error) {
          if (error instanceof BrokenCircuitError) {
            throw new MessagingError(
              'MAIL_RETRYABLE',
              `${transport.provider}: circuit open after ${this.#settings.failures} consecutive failures (last: ${guarded.lastError}); not tried until the cool-down ends`,
              { details: { circuit: 'open', provider: transport.provider } },
            );
          }
          throw error;
        }
      },
      ...(transport.close === undefined ? {} : { close: () => transport.close!() }),
    };
  }
}

/**
 * The admin notification for a breaker that opened (high priority, action required) or closed
 * again: a `store_issue` for a store's provider, a `system_alert` for the platform's transport.
 * Each has its own issue key, so every instance reporting the same change folds into one unread
 * notification (`occurrences` counts them).
 *
 * @example
 * ```ts
 * await alerts.raiseAdminNotification(mailCircuitNotification({ state: 'open', storeId: 'acme', provider: 'sendgrid', failures: 5, error: '503' }));
 * ```
 */
export function mailCircuitNotification(change: MailCircuitChange): RaiseAdminNotificationInput {
  const whose = change.storeId === null ? 'the platform' : `store ${change.storeId}`;
  const common = {
    type: change.storeId === null ? ('system_alert' as const) : ('store_issue' as const),
    storeId: change.storeId,
    metadata: {
      reason: `mail_circuit_${change.state}`,
      provider: change.provider,
      ...(change.storeId === null ? {} : { store_id: change.storeId }),
      ...(change.failures === undefined ? {} : { consecutive_failures: change.failures }),
      ...(change.error === undefined ? {} : { error: change.error }),
    },
    issueKey: `mail_circuit_${change.state}:${change.provider}`,
  };
  if (change.state === 'open') {
    return {
      ...common,
      priority: 'high',
      title: `Mail provider ${change.provider} of ${whose} is failing: sends go to the fallback`,
      message: `The ${change.provider} transport of ${whose} failed ${change.failures ?? 0} times in a row (last error: ${change.error ?? 'unknown'}). Its circuit breaker is open: emails go to the fallback provider when one is set, otherwise they fail and are retried, until a test send succeeds.`,
      actionRequired: true,
      ...(change.storeId === null
        ? {}
        : { actionUrl: `/api/v1/admin/stores/${encodeURIComponent(change.storeId)}/email-settings` }),
      ...(change.error === undefined ? {} : { lastError: change.error }),
    };
  }
  return {
    ...common,
    priority: 'normal',
    title: `Mail provider ${change.provider} of ${whose} works again`,
    message: `A test send through the ${change.provider} transport of ${whose} succeeded: its circuit breaker is closed and emails go through it again.`,
  };
}

function breakerKey(storeId: string | null, provider: string): string {
  return storeId === null ? `platform:${provider}` : `store:${storeId}:${provider}`;
}
