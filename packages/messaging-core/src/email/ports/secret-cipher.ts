/**
 * Encrypts secrets at rest (store mail credentials). A token is self-describing: it names the
 * key that sealed it, so keys can rotate and old tokens still open. `context` is authenticated
 * but not stored (AEAD associated data): a token only opens with the context it was sealed
 * with, so a ciphertext copied to another store or another field fails to decrypt.
 *
 * @example
 * ```ts
 * const token = cipher.encrypt('SG.secret', 'store_email_settings:acme:sendgrid_api_key');
 * cipher.decrypt(token, 'store_email_settings:acme:sendgrid_api_key'); // "SG.secret"
 * cipher.needsRotation(token); // false while its key is the current one
 * ```
 */
export interface SecretCipher {
  /** Seals `plaintext` with the current key; a fresh random nonce every call. */
  encrypt(plaintext: string, context: string): string;
  /** Opens a token sealed with any known key; throws on an unknown key id, tampering or a wrong context. */
  decrypt(token: string, context: string): string;
  /** True when the token was sealed with a key other than the current one. */
  needsRotation(token: string): boolean;
}
