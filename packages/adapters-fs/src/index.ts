export type { FsAttachmentStorageConfig, FsAttachmentStorageFs } from './fs-attachment-storage.js';
export { FsAttachmentStorage } from './fs-attachment-storage.js';
