import type {
  WebhookRequest,
  WebhookResponse,
  WebhookSecretGenerator,
  WebhookTransport,
} from '../ports/webhook-transport.js';

/**
 * A `WebhookTransport` that records every request and answers with `respond` (default: 200,
 * empty body). Signs nothing: the real transport's tests check signatures.
 */
export class InMemoryWebhookTransport implements WebhookTransport {
  readonly requests: WebhookRequest[] = [];
  respond: (request: WebhookRequest) => WebhookResponse = () => ({
    kind: 'response',
    statusCode: 200,
    bodySnippet: '',
    durationMs: 1,
  });

  async deliver(request: WebhookRequest): Promise<WebhookResponse> {
    this.requests.push(request);
    return this.respond(request);
  }
}

/** Secrets `whsec_…` from a counter: distinct, valid base64, predictable in tests. */
export function sequentialWebhookSecrets(): WebhookSecretGenerator {
  let n = 0;
  return () => {
    n += 1;
    return `whsec_${btoa(`parley-test-secret-${String(n).padStart(6, '0')}`)}`;
  };
}
