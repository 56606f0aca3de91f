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
