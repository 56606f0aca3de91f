export type { ComposedApi, ComposeOptions } from './composition-root.js';
export { compose } from './composition-root.js';
export type { Config, DatabaseSettings, Environment, LogLevel } from './config.js';
export { ConfigError, EnvironmentSchema, parseConfig, readConfig } from './config.js';
export type { DemoDirectory, DemoToken, SeedDemoOptions } from './demo-seed.js';
export {
  DEMO,
  DEMO_PARTICIPANTS,
  demoParticipants,
  demoTokens,
  marketplaceDemoDirectory,
  peopleDemoDirectory,
  seedDemo,
  seedDemoDirectory,
} from './demo-seed.js';
export type { HttpErrorCode, ProblemCode, ProblemDetails, ProblemResponse } from './http-errors.js';
export { HTTP_ERROR_CODES, HttpProblem, STATUS_BY_CODE, toProblem } from './http-errors.js';
export type { JwtSecretSource, ResolvedJwtSecret } from './jwt-secret.js';
export { resolveJwtSecret } from './jwt-secret.js';
export type {
  AuthPluginOptions,
  Credentials,
  Principal,
  Role,
  TenantClaim,
  TokenClaims,
} from './plugins/authentication.js';
export {
  actorOf,
  actorOfRequest,
  authPlugin,
  issueToken,
  ROLES,
  SERVICE_ROLE,
  secretKey,
  tokenRoles,
  verifyAuthorization,
} from './plugins/authentication.js';
export type { ParleyApp, ServerDependencies, ServerDirectory, ServerOptions, ServerPorts } from './server.js';
export { buildServer } from './server.js';
