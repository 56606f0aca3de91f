import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The request bodies the API reads: JSON, and `multipart/form-data` for sends with attachments;
 * any other media type is a 415. An empty JSON body (a POST with `Content-Type:
 * application/json` and nothing else) is no body, so routes that default a missing body accept
 * it. Multipart parts are streamed by the route, never buffered; its limits (file size and count
 * from the platform settings) are set per request. Registered before any hook or route, since
 * it replaces Fastify's default parsers.
 *
 * @example
 * ```ts
 * await app.register(contentTypesPlugin);
 * ```
 */
const contentTypes: FastifyPluginAsync = async (app) => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  await app.register(multipart, { throwFileSizeLimit: true });
};

export const contentTypesPlugin = fp(contentTypes, { name: 'parley-content-types', fastify: '5.x' });
