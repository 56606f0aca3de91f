import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AesGcmSecretCipher,
  generateKeyRing,
  parseKeyRing,
  SecretCipherError,
} from './aes-gcm-secret-cipher.js';

const k1 = new Uint8Array(randomBytes(32));
const k2 = new Uint8Array(randomBytes(32));
const CTX = 'store_email_settings:acme:sendgrid_api_key';

function flip(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0x01;
  return bytes.toString('base64url');
}

describe('AesGcmSecretCipher', () => {
  it('round-trips text, unicode and the empty string, in the documented token format', () => {
    const cipher = new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k1' });
    for (const plaintext of ['SG.abc.def', 'pässwörd 🔑', '', 'x'.repeat(5000)]) {
      const token = cipher.encrypt(plaintext, CTX);
      expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
      if (plaintext.length > 3) expect(token).not.toContain(plaintext);
      expect(cipher.decrypt(token, CTX)).toBe(plaintext);
    }
  });

  it('uses a fresh random IV every time', () => {
    const cipher = new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k1' });
    const tokens = Array.from({ length: 200 }, () => cipher.encrypt('same secret', CTX));
    expect(new Set(tokens.map((t) => t.split('.')[2])).size).toBe(200);
    expect(new Set(tokens).size).toBe(200);
  });

  it('rotates: old tokens still open with the old key, new ones use the current key', () => {
    const before = new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k1' });
    const old = before.encrypt('hunter2', CTX);
    const after = new AesGcmSecretCipher({ keys: { k2, k1 }, currentKeyId: 'k2' });
    expect(after.needsRotation(old)).toBe(true);
    expect(after.decrypt(old, CTX)).toBe('hunter2');
    const fresh = after.encrypt('hunter2', CTX);
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(after.needsRotation(fresh)).toBe(false);
  });

  it('fails clearly on an unknown key id', () => {
    const token = new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k1' }).encrypt('s', CTX);
    const other = new AesGcmSecretCipher({ keys: { k2 }, currentKeyId: 'k2' });
    expect(() => other.decrypt(token, CTX)).toThrowError(
      'the secret was encrypted with key id k1, which is not in PARLEY_ENCRYPTION_KEY',
    );
  });

  it('fails with a wrong key under the same id', () => {
    const token = new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k1' }).encrypt('s', CTX);
    const wrong = new AesGcmSecretCipher({ keys: { k1: k2 }, currentKeyId: 'k1' });
    expect(() => wrong.decrypt(token, CTX)).toThrow(SecretCipherError);
  });

  it('detects tampering with the IV, tag, ciphertext or key id, and a foreign context', () => {
    const cipher = new AesGcmSecretCipher({ keys: { k1, k2 }, currentKeyId: 'k1' });
    const token = cipher.encrypt('secret value', CTX);
    const [v, kid, iv, tag, ct] = token.split('.') as [string, string, string, string, string];
    for (const altered of [
      [v, kid, flip(iv), tag, ct],
      [v, kid, iv, flip(tag), ct],
      [v, kid, iv, tag, flip(ct)],
      [v, 'k2', iv, tag, ct],
    ]) {
      expect(() => cipher.decrypt(altered.join('.'), CTX)).toThrow(
        expect.objectContaining({ reason: 'authentication_failed' }),
      );
    }
    expect(() => cipher.decrypt(token, 'store_email_settings:globex:sendgrid_api_key')).toThrow(
      expect.objectContaining({ reason: 'authentication_failed' }),
    );
    for (const malformed of [
      '',
      'v1.k1',
      'v2.k1.a.b.c',
      `${v}.${kid}.${iv}.${tag}.${ct}.x`,
      `v1.k1.!!.${tag}.${ct}`,
    ]) {
      expect(() => cipher.decrypt(malformed, CTX)).toThrow(expect.objectContaining({ reason: 'malformed' }));
    }
  });

  it('refuses bad key rings', () => {
    expect(() => new AesGcmSecretCipher({ keys: { k1: new Uint8Array(16) }, currentKeyId: 'k1' })).toThrow(
      '32 bytes',
    );
    expect(() => new AesGcmSecretCipher({ keys: { k1 }, currentKeyId: 'k9' })).toThrow('not in the key ring');
  });
});

describe('parseKeyRing', () => {
  it('reads kid:base64 entries, the first being current', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const ring = parseKeyRing(`k2:${a.toString('base64')}, k1:${b.toString('base64url')}`);
    expect(ring.currentKeyId).toBe('k2');
    expect(Buffer.from(ring.keys.k2 as Uint8Array).equals(a)).toBe(true);
    expect(Buffer.from(ring.keys.k1 as Uint8Array).equals(b)).toBe(true);
    const generated = parseKeyRing(generateKeyRing('dev'));
    expect(generated.currentKeyId).toBe('dev');
  });

  it.each([
    ['', 'empty'],
    ['k1', 'kid:base64'],
    [`k1:${randomBytes(16).toString('base64')}`, '32 bytes'],
    [`k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`, 'twice'],
  ])('rejects %j', (value, message) => {
    expect(() => parseKeyRing(value)).toThrow(message);
  });
});
