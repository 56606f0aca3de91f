export type { LocalS3Server } from './local-s3-server.js';
export { startLocalS3Server } from './local-s3-server.js';
