import { registerAjvFormats, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { isValidEmail } from '@parley/messaging-core';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import Format from 'typebox/format';
import { isStorableDateTime } from '../schemas/common.js';

let formatsRegistered = false;

/**
 * String formats for request validation: ajv-formats' set, with the core's email rule, and
 * `date-time` narrowed to instants the database stores (`isStorableDateTime`). TypeBox keeps
 * formats in one process-wide registry, so this runs once per process.
 */
function registerFormats(): void {
  if (formatsRegistered) return;
  registerAjvFormats();
  Format.Set('email', isValidEmail);
  const isDateTime = Format.Get('date-time') ?? (() => true);
  Format.Set('date-time', (value) => isDateTime(value) && isStorableDateTime(value));
  formatsRegistered = true;
}

/**
 * Request validation by the routes' TypeBox schemas (the single source of validation,
 * serialization and the OpenAPI document), with Parley's string formats. Registered first:
 * routes compile their validators with the compiler in place when they are added.
 *
 * @example
 * ```ts
 * await app.register(requestValidationPlugin);
 * ```
 */
const requestValidation: FastifyPluginAsync = async (app) => {
  registerFormats();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
};

export const requestValidationPlugin = fp(requestValidation, {
  name: 'parley-request-validation',
  fastify: '5.x',
});
