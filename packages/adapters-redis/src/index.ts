export type { RedisLiveSignalBusOptions } from './redis-live-signal-bus.js';
export { RedisLiveSignalBus } from './redis-live-signal-bus.js';
export type { RedisRateLimitClientOptions } from './redis-rate-limit-client.js';
export { connectRedisRateLimitClient } from './redis-rate-limit-client.js';
