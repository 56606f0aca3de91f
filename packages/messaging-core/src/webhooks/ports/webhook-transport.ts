/** One signed HTTP POST of a webhook. */
export interface WebhookRequest {
  readonly url: string;
  /**
   * The address the outbound guard checked for the URL's host: connect to it, never resolve the
   * name again (DNS rebinding). The name stays the `Host` header and the TLS server name.
   */
  readonly address: string;
  /** `webhook-id`. */
  readonly messageId: string;
  /** `webhook-timestamp` (whole seconds of it are sent and signed). */
  readonly timestamp: Date;
  readonly body: string;
  /**
   * The `whsec_…` secrets to sign with, current first: one `v1,` signature per secret in
   * `webhook-signature` (space-separated), so a receiver holding either verifies during a rotation.
   */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
}

/** What came back: a status (any), or no response at all. */
export type WebhookResponse =
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      /** The body's start (the transport reads no more than it needs). */
      readonly bodySnippet: string;
      readonly durationMs: number;
    }
  | { readonly kind: 'error'; readonly error: string; readonly durationMs: number };

/**
 * Sends webhooks: signs per the Standard Webhooks specification (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`) and POSTs the body as `application/json` to the
 * checked address, following no redirect. Never throws for what the endpoint or the network did:
 * that is a `WebhookResponse`.
 * Side effects: one HTTP request.
 *
 * @example
 * ```ts
 * const response = await transport.deliver({ url, address: verdict.addresses[0], messageId: '42',
 *   timestamp: clock.now(), body, secrets: ['whsec_…'], timeoutMs: 10_000 });
 * ```
 */
export interface WebhookTransport {
  deliver(request: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * Makes a new endpoint secret: `whsec_` and the base64 of at least 24 random bytes (the Standard
 * Webhooks format). Side effects: reads randomness only.
 */
export type WebhookSecretGenerator = () => string;
