/**
 * Error codes (Node's and axios') of a request that never got an HTTP answer: the connection
 * failed or the client's timeout fired. Sending again later may work, so every HTTP mail
 * provider adapter classifies them as `MAIL_RETRYABLE`.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The subset of `NETWORK_ERROR_CODES` that means "timed out" (for messages). */
export const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
