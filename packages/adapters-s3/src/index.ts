export type { S3ClientOptions } from './create-s3-client.js';
export { createS3Client } from './create-s3-client.js';
export type { S3AttachmentStorageConfig } from './s3-attachment-storage.js';
export { S3_DEFAULT_PART_SIZE, S3AttachmentStorage } from './s3-attachment-storage.js';
