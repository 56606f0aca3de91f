/**
 * A bearer token, or a function returning one (possibly async) that is called before every
 * request and every real-time (re)connect, so an embedder can refresh an expiring token.
 */
export type TokenProvider = string | (() => string | Promise<string>);

/** The current token of `provider` (calls it when it is a function). */
export async function resolveToken(provider: TokenProvider): Promise<string> {
  return typeof provider === 'string' ? provider : await provider();
}
