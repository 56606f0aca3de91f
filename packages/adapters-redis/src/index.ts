export type { RedisLiveSignalBusOptions } from './redis-live-signal-bus.js';
export { RedisLiveSignalBus } from './redis-live-signal-bus.js';
