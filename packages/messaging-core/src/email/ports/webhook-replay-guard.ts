/** One verified webhook's signature token, claimed so it cannot be replayed. */
export interface WebhookReplayClaim {
  /** The provider whose signature carried the token (`mailgun`…); tokens never clash across providers. */
  readonly provider: string;
  readonly token: string;
  /** When the claim may be forgotten: past the far edge of the signature's time window. */
  readonly expiresAt: Date;
  /** The verifier's clock: claims expired by then count as absent, and are removed. */
  readonly now: Date;
}

/**
 * Replay protection for provider webhooks whose signature covers a one-time token (Mailgun): a
 * token is accepted once within its time window, by whichever process sees it first, and stays
 * refused after a restart.
 *
 * @example
 * ```ts
 * const first = await guard.claim({ provider: 'mailgun', token, expiresAt, now }); // true
 * await guard.claim({ provider: 'mailgun', token, expiresAt, now });               // false: a replay
 * ```
 */
export interface WebhookReplayGuard {
  /**
   * Records the token until `expiresAt` and answers true when this call is the first to claim it
   * (an earlier claim expired by `now` counts as none); false when it is already claimed — a
   * replay. Atomic: of concurrent claims of one token, in any number of processes sharing the
   * storage, exactly one answers true. Side effect: removes claims expired by `now`.
   */
  claim(claim: WebhookReplayClaim): Promise<boolean>;
}
