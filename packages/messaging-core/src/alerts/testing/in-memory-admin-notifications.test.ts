import { sendFailureStreakRepositoryContract } from '../../email/testing/contracts/send-failure-streak-repository-contract.js';
import { webhookReplayGuardContract } from '../../email/testing/contracts/webhook-replay-guard-contract.js';
import { InMemorySendFailureStreakRepository } from '../../email/testing/in-memory-send-failure-streak-repository.js';
import { InMemoryWebhookReplayGuard } from '../../email/testing/in-memory-webhook-replay-guard.js';
import { adminNotificationRepositoryContract } from './contracts/admin-notification-repository-contract.js';
import { InMemoryAdminNotificationRepository } from './in-memory-admin-notification-repository.js';

adminNotificationRepositoryContract({
  name: 'in-memory',
  setup: async () => {
    const repository = new InMemoryAdminNotificationRepository();
    return {
      repository,
      raw: {
        notification: async (id) => {
          const row = repository.rows.get(id);
          return row ? structuredClone(row) : null;
        },
        count: async () => repository.rows.size,
      },
      addStore: async () => {},
    };
  },
});

sendFailureStreakRepositoryContract({
  name: 'in-memory',
  setup: async () => {
    const streaks = new InMemorySendFailureStreakRepository();
    return {
      streaks,
      raw: {
        streak: async (storeId) => {
          const row = streaks.rows.get(storeId);
          return row ? structuredClone(row) : null;
        },
      },
    };
  },
});

webhookReplayGuardContract({
  name: 'in-memory',
  setup: async () => {
    const guard = new InMemoryWebhookReplayGuard();
    return {
      guard,
      raw: {
        expiry: async (provider, token) => {
          const expiry = guard.rows.get(`${provider}\u0000${token}`);
          return expiry === undefined ? null : new Date(expiry);
        },
        count: async () => guard.rows.size,
      },
    };
  },
});
