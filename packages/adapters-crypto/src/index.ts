export type { AesGcmSecretCipherConfig } from './aes-gcm-secret-cipher.js';
export {
  AesGcmSecretCipher,
  generateKeyRing,
  parseKeyRing,
  SecretCipherError,
} from './aes-gcm-secret-cipher.js';
export {
  deriveReplyTokenKey,
  HmacReplyTokenSigner,
  REPLY_TOKEN_KEY_MIN_LENGTH,
} from './hmac-reply-token-signer.js';
