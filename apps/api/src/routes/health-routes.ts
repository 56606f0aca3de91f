import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HttpProblem } from '../http-errors.js';
import { problemsExactly } from '../schemas/common.js';
import { HealthWire, ReadinessWire } from '../schemas/health.js';

export interface HealthRoutesOptions {
  /** Resolves when the database answers; rejects (or times out) when it does not. */
  readonly checkDatabase: () => Promise<void>;
  /** `postgres` or `pglite` (or `memory` in tests). */
  readonly databaseKind: string;
  /** How long `/readyz` waits for the database (default 2 s). */
  readonly timeoutMs?: number;
}

/** `/healthz` (the process is up) and `/readyz` (the database answers). No auth, no rate limit. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const config = { rateLimit: false } as const;

  app.get(
    '/healthz',
    {
      config,
      schema: {
        tags: ['Health'],
        operationId: 'healthz',
        security: [],
        summary: 'Liveness: the process is up',
        response: { 200: HealthWire, ...problemsExactly(500) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config,
      schema: {
        tags: ['Health'],
        operationId: 'readyz',
        security: [],
        summary: 'Readiness: the database answers',
        response: { 200: ReadinessWire, ...problemsExactly(500, 503) },
      },
    },
    async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([options.checkDatabase(), timeout]);
      } catch (error) {
        throw new HttpProblem('NOT_READY', 'the database does not answer', { cause: error });
      } finally {
        clearTimeout(timer);
      }
      return { status: 'ready', database: options.databaseKind };
    },
  );
};
