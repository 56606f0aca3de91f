import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { apiScenarios } from './support/api-scenarios.js';
import { buildHarness } from './support/build-harness.js';

apiScenarios('in-memory adapters', async (options) => {
  const { core, directory } = createInMemoryMessaging();
  return buildHarness(core, directory, { kind: 'memory', check: async () => {} }, options);
});
