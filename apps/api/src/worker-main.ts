// The notification worker on its own: `pnpm worker` from the repository root. Same configuration
// as the API (see README "Configuration"); it composes everything but never listens, and sends
// notification emails, digests and webhook deliveries until SIGINT/SIGTERM. Run as many as you like against
// one database.
import closeWithGrace from 'close-with-grace';
import { compose } from './composition-root.js';
import { type Config, ConfigError, readConfig } from './config.js';
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
  let api: Awaited<ReturnType<typeof compose>>;
  try {
    api = await compose({
      ...config,
      seedDemo: false,
      notifications: { ...config.notifications, worker: true },
      // The SMTP listener belongs to the API process; the worker only issues reply addresses.
      inbound: config.inbound === null ? null : { ...config.inbound, smtp: null },
    });
  } catch (error) {
    // One line naming the cause (and PARLEY_DATABASE_URL, password masked), not a stack.
    console.error(describeStartupFailure(error, config, 'The notification worker'));
    process.exit(1);
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) api.app.log.error({ err }, 'worker shutting down after an error');
    else api.app.log.info({ signal }, 'worker shutting down: finishing the current run');
    await api.close();
  });
  api.app.log.info(
    {
      workerId: api.notifications.workerId,
      pollIntervalMs: config.notifications.pollIntervalMs,
      webhookWorkerId: api.webhooks.worker.workerId,
      webhookPollIntervalMs: config.webhooks.pollIntervalMs,
      digestWorkerId: api.digests.worker.workerId,
      digestPollIntervalMs: config.digests.pollIntervalMs,
    },
    'notification, webhook and digest workers started',
  );
  // The worker's timer is unref'd; this keeps the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

await main();
