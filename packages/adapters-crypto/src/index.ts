export type { AesGcmSecretCipherConfig } from './aes-gcm-secret-cipher.js';
export {
  AesGcmSecretCipher,
  generateKeyRing,
  parseKeyRing,
  SecretCipherError,
} from './aes-gcm-secret-cipher.js';
