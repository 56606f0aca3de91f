export { isRetryableFileError, toFileMessagingError } from './file-mail-errors.js';
export type {
  FileMailTransportConfig,
  FileMailTransportFileHandle,
  FileMailTransportFs,
} from './file-mail-transport.js';
export { FileMailTransport } from './file-mail-transport.js';
