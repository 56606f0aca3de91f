import helmet from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityHeadersOptions {
  /**
   * The API is served over https (its public URL is https): HSTS on, and browsers are asked to
   * upgrade insecure requests. Over plain http (local runs) both would break `/docs`.
   */
  readonly https: boolean;
}

/**
 * Helmet's security headers (CSP, `X-Content-Type-Options`, frame and referrer policies …) on
 * every response, errors included; HSTS and `upgrade-insecure-requests` only behind https.
 * Registered after problem handling, metrics and the text input guard and before CORS,
 * authentication and rate limiting, so refusals from those carry the headers too.
 *
 * @example
 * ```ts
 * await app.register(securityHeadersPlugin, { https: publicUrl.startsWith('https://') });
 * ```
 */
const securityHeaders: FastifyPluginAsync<SecurityHeadersOptions> = async (app, { https }) => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
};

export const securityHeadersPlugin = fp(securityHeaders, {
  name: 'parley-security-headers',
  fastify: '5.x',
});
