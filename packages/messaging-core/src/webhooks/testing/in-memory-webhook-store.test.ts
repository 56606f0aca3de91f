import { InMemoryMessagingStore } from '../../testing/in-memory-messaging-store.js';
import { webhookStoreContract } from './contracts/webhook-store-contract.js';
import { InMemoryWebhookStore } from './in-memory-webhook-store.js';

webhookStoreContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryWebhookStore(new InMemoryMessagingStore());
    return {
      store,
      raw: {
        secrets: async (endpointId) =>
          store.state.secrets
            .filter((s) => s.endpointId === endpointId)
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
        delivery: async (id) => store.state.deliveries.find((d) => d.delivery.id === id)?.delivery ?? null,
        counts: async (endpointId) => {
          const deliveries = store.state.deliveries.filter((d) => d.delivery.endpointId === endpointId);
          const ids = new Set(deliveries.map((d) => d.delivery.id));
          return {
            deliveries: deliveries.length,
            attempts: store.state.attempts.filter((a) => ids.has(a.deliveryId)).length,
          };
        },
      },
    };
  },
});
