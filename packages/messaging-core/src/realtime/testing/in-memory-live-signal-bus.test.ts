import { liveSignalBusContract } from '../../testing/contracts/index.js';
import { InMemoryLiveSignalBus, InMemorySignalHub } from './in-memory-live-signal-bus.js';

const hub = new InMemorySignalHub();
liveSignalBusContract({
  name: 'in-memory',
  create: (channel) => new InMemoryLiveSignalBus({ hub, channel, onError: () => undefined }),
});
