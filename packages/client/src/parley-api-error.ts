/**
 * An RFC 9457 problem as the API answers every error (`application/problem+json`). `code` is
 * stable and machine-readable (`NOT_FOUND`, `VALIDATION`, `CONVERSATION_CLOSED`, …); `field`
 * names the snake_case input at fault.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly field?: string;
  readonly request_id?: string;
  readonly [extension: string]: unknown;
}

/**
 * A non-2xx answer of the API. Every call of `createParleyClient` (the typed `GET`/`POST`/… and
 * the helpers) throws it instead of returning the error. `problem` is the body as sent; when the
 * body was not a problem (a proxy's HTML page), `code` is `HTTP_<status>` and `detail` the text.
 */
export class ParleyApiError extends Error {
  override readonly name = 'ParleyApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** The input at fault, when the API names one (`subject`, `idempotency_key`, `files`). */
  readonly field: string | undefined;
  /** Matches the `X-Request-Id` response header and the server's logs. */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying, from `Retry-After` (429, 503). */
  readonly retryAfter: number | undefined;
  readonly problem: Problem;

  constructor(problem: Problem, options: { retryAfter?: number | undefined } = {}) {
    super(`${problem.status} ${problem.code}: ${problem.detail || problem.title}`);
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.field = problem.field;
    this.requestId = problem.request_id;
    this.retryAfter = options.retryAfter;
    this.problem = problem;
  }

  /**
   * Reads a failed `Response` into an error: its problem+json body, or a synthetic problem from
   * the status and text when the body is something else. Consumes the body.
   */
  static async fromResponse(response: Response): Promise<ParleyApiError> {
    const text = await response.text().catch(() => '');
    const retryAfterHeader = response.headers.get('retry-after');
    const retryAfter =
      retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
    return new ParleyApiError(problemOf(response, text), { retryAfter });
  }
}

/**
 * The request never got an answer: DNS, a refused connection, CORS, an abort. `cause` is what
 * `fetch` threw. Distinct from `ParleyApiError` so callers can tell "offline" from "refused".
 */
export class ParleyNetworkError extends Error {
  override readonly name = 'ParleyNetworkError';

  constructor(
    readonly method: string,
    readonly url: string,
    cause: unknown,
  ) {
    super(`${method} ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function problemOf(response: Response, text: string): Problem {
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string') {
      const problem = body as Partial<Problem> & { code: string };
      return {
        ...problem,
        type: problem.type ?? 'about:blank',
        title: problem.title ?? response.statusText,
        status: typeof problem.status === 'number' ? problem.status : response.status,
        detail: problem.detail ?? '',
        code: problem.code,
      };
    }
  } catch {
    // Not JSON: fall through to a problem made from the status.
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text.slice(0, 500),
    code: `HTTP_${response.status}`,
  };
}
