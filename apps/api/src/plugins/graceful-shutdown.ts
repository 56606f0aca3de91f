import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Graceful shutdown: responses finishing after `close()` began carry `Connection: close`, asking
 * the client to drop the connection, so keep-alive sockets do not hold the shutdown open. No
 * effect until `close()`. Order does not matter for behaviour; it is registered with the other
 * connection-level concerns, before the error handling.
 *
 * @example
 * ```ts
 * await app.register(gracefulShutdownPlugin);
 * ```
 */
const gracefulShutdown: FastifyPluginAsync = async (app) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
};

export const gracefulShutdownPlugin = fp(gracefulShutdown, {
  name: 'parley-graceful-shutdown',
  fastify: '5.x',
});
