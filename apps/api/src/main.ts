// Parley's HTTP API: `pnpm start` from the repository root. Reads the configuration from the
// environment (see README "Configuration"), composes, listens, prints where to go and demo tokens.
import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import {
  announceListening,
  type ClusterRole,
  clusterRole,
  isClusterWorker,
  superviseWorkers,
} from './cluster-supervisor.js';
import { compose } from './composition-root.js';
import { type Config, ConfigError, publicBaseUrl, readConfig } from './config.js';
import { demoTokens } from './demo-seed.js';
import { secretKey } from './plugins/authentication.js';
import { describeStartupFailure } from './startup-failure.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (config.workers > 1 && !isClusterWorker()) {
    superviseWorkers({ workers: config.workers });
    return;
  }
  const role: ClusterRole = isClusterWorker() ? await clusterRole() : { index: 0, of: 1 };
  if (role.index > 0) {
    // The first process seeded the demo and runs the background workers; the others serve requests.
    config = {
      ...config,
      seedDemo: false,
      notifications: { ...config.notifications, worker: false },
    };
  }
  let api: Awaited<ReturnType<typeof compose>>;
  try {
    api = await compose(config);
  } catch (error) {
    // One line naming the cause (and PARLEY_DATABASE_URL, password masked), not a stack.
    console.error(describeStartupFailure(error, config));
    process.exit(1);
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) api.app.log.error({ err }, 'shutting down after an error');
    else api.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await api.close();
  });
  try {
    await api.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    console.error(`Parley could not listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    await api.close();
    process.exit(1);
  }
  announceListening();
  if (role.index > 0) {
    api.app.log.info({ process: role.index + 1, of: role.of }, 'API process listening');
    return;
  }
  const port = (api.app.server.address() as AddressInfo).port;
  const url = publicBaseUrl(config, port);
  const database =
    config.database.kind === 'postgres'
      ? 'PostgreSQL (PARLEY_DATABASE_URL)'
      : `PGlite in ${config.database.dataDir}`;
  const lines = [
    '',
    `Parley API        ${url}`,
    `API docs          ${url}/docs   (OpenAPI 3.1: ${url}/openapi.json)`,
    `Preset            ${api.preset.name} (PARLEY_PRESET) — ${api.preset.description}`,
    `Database          ${database}${api.seeded ? ' — demo directory seeded' : ''}`,
    `JWT secret        ${api.jwtSecret.source === 'environment' ? 'PARLEY_JWT_SECRET' : api.jwtSecret.path}`,
    ...(role.of > 1 ? [`Processes         ${role.of} sharing the port (PARLEY_WORKERS)`] : []),
  ];
  if (config.seedDemo) {
    const tokens = await demoTokens(secretKey(api.jwtSecret.secret), api.directory, {
      preset: api.preset,
      tenantClaim: api.directory.tenantClaim,
    });
    lines.push('', 'Demo bearer tokens (valid 12 hours):');
    // Role names differ by preset (`therapist`, `clinician`): the column is as wide as the longest.
    const roleWidth = Math.max(...tokens.map((t) => t.role.length)) + 1;
    for (const { role, subject, name, token } of tokens) {
      lines.push(`  ${role.padEnd(roleWidth)}${`${subject} (${name})`.padEnd(36)}`, `    ${token}`);
    }
    // The web inbox signed in as each participant: the token rides in the fragment, which the
    // browser never sends, and the app moves it to the tab's sessionStorage at once. Every
    // preset's roles have a view (docs/inbox.md).
    const people = tokens.filter((t) => t.participant);
    if (people.length > 0) {
      lines.push('', 'Web inbox (open in a browser; one link per demo role):');
      for (const { role, token } of people)
        lines.push(`  ${role.padEnd(roleWidth)}${url}/inbox#token=${token}`);
    }
    // Any participant's inbox, through the generic API (every preset has one).
    const sample = tokens.find((t) => t.participant);
    if (sample) {
      lines.push(
        '',
        'Try:',
        `  curl -H "Authorization: Bearer ${sample.token.slice(0, 12)}…" ${url}/api/v1/conversations`,
        `  (paste the whole ${sample.role} token above)`,
      );
    }
  }
  console.log(`${lines.join('\n')}\n`);
}

await main();
