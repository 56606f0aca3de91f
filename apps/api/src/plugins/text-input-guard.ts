import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http-errors.js';

/** Deepest nesting of arrays and objects a request may carry (JSON bodies, query strings). */
export const MAX_INPUT_DEPTH = 32;

/** What is wrong with one string of the input, and where. */
export interface TextInputFault {
  /** The snake_case field in the API's convention: `subject`, `metadata.key`, `recipients.0`. */
  readonly field: string;
  readonly detail: string;
}

// A lone surrogate cannot be encoded as UTF-8: PostgreSQL's text silently gets U+FFFD and its jsonb
// refuses the escape outright.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

/**
 * `text` with every character PostgreSQL cannot store (NUL, unpaired surrogates) replaced by
 * U+FFFD: for opaque data from a verified source, where refusing is worse than replacing.
 *
 * @example
 * ```ts
 * replaceUnstorableText('a\u0000b'); // 'a\uFFFDb'
 * ```
 */
export function replaceUnstorableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

function textFault(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it has an unpaired surrogate)';
  return undefined;
}

/**
 * The first string (value or object key) in `value` that no PostgreSQL text or jsonb column can
 * store — one with a NUL character or an unpaired surrogate — or nesting deeper than
 * `MAX_INPUT_DEPTH`. Walks iteratively, so hostile nesting cannot exhaust the stack. `root` names
 * the input itself (`body`, `querystring`, `params`) when the fault is at the top.
 *
 * @example
 * ```ts
 * findTextInputFault({ subject: 'a\u0000b' }, 'body'); // { field: 'subject', detail: 'subject must not contain NUL characters (U+0000)' }
 * ```
 */
export function findTextInputFault(value: unknown, root: string): TextInputFault | undefined {
  const fieldOf = (path: readonly string[]) => (path.length === 0 ? root : path.join('.'));
  const stack: { value: unknown; path: readonly string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: readonly string[] };
    if (typeof current === 'string') {
      const fault = textFault(current);
      if (fault) return { field: fieldOf(path), detail: `${fieldOf(path)} ${fault}` };
      continue;
    }
    if (typeof current !== 'object' || current === null || Buffer.isBuffer(current)) continue;
    if (path.length >= MAX_INPUT_DEPTH) {
      return {
        field: fieldOf(path),
        detail: `${fieldOf(path)} is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`,
      };
    }
    const entries = Array.isArray(current)
      ? current.map((item, index) => [String(index), item] as const)
      : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i] as readonly [string, unknown];
      const keyFault = textFault(key);
      if (keyFault) {
        return { field: fieldOf(path), detail: `the keys of ${fieldOf(path)} ${keyFault}` };
      }
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Refuses, with a 400 `VALIDATION` naming the field, any request whose path parameters, query
 * string or parsed JSON body holds text the database cannot store (NUL, unpaired surrogates) or
 * absurd nesting — before schema validation and before any use case runs, so no route can turn
 * such input into a database error (a 500). Raw bodies (the signed webhooks keep theirs as bytes)
 * are not looked into. Registered once, before the routes; its `preValidation` hook runs after
 * every `onRequest` hook (authentication, rate limiting), so anonymous input is refused as a 401
 * first.
 *
 * @example
 * ```ts
 * await app.register(textInputGuardPlugin);
 * ```
 */
const textInputGuard: FastifyPluginAsync = async (app) => {
  app.addHook('preValidation', async (request) => {
    const fault =
      findTextInputFault(request.params, 'params') ??
      findTextInputFault(request.query, 'querystring') ??
      findTextInputFault(request.body, 'body');
    if (fault) throw new HttpProblem('VALIDATION', fault.detail, { field: fault.field });
  });
};

export const textInputGuardPlugin = fp(textInputGuard, { name: 'parley-text-input-guard', fastify: '5.x' });
