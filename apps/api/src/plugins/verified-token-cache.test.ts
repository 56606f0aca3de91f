import { marketplacePolicy } from '@parley/messaging-core';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueToken, secretKey, verifyAuthorization } from './authentication.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const key = secretKey('unit-test-secret-unit-test-secret-0123');
const otherKey = secretKey('another-secret-another-secret-another-0');
const NOW = new Date('2026-03-01T12:00:00Z');
const at = (ms: number) => () => new Date(NOW.getTime() + ms);

describe('VerifiedTokenCache with verifyAuthorization', () => {
  it('answers a token it verified before without checking the signature again', async () => {
    const cache = new VerifiedTokenCache();
    const token = await issueToken(key, { sub: 'u1', role: 'store', storeId: 's1', issuedAt: NOW });
    const first = await verifyAuthorization(`Bearer ${token}`, key, at(0), marketplacePolicy, cache);
    expect(first).toEqual({ ok: true, principal: { role: 'store', subject: 'u1', storeId: 's1' } });
    expect(cache.size).toBe(1);
    // The wrong key would refuse it: a cache hit is the only way this passes.
    const second = await verifyAuthorization(`Bearer ${token}`, otherKey, at(1000), marketplacePolicy, cache);
    expect(second).toEqual(first);
    const uncached = await verifyAuthorization(`Bearer ${token}`, otherKey, at(1000), marketplacePolicy);
    expect(uncached.ok).toBe(false);
  });

  it('never serves a token past exp plus the 5 s tolerance', async () => {
    const cache = new VerifiedTokenCache();
    const token = await issueToken(key, {
      sub: 'c1',
      role: 'customer',
      storeId: 's1',
      issuedAt: NOW,
      expiresInSeconds: 60,
    });
    expect((await verifyAuthorization(`Bearer ${token}`, key, at(0), marketplacePolicy, cache)).ok).toBe(
      true,
    );
    expect(cache.recall(token, new Date(NOW.getTime() + 64_999))).toEqual({
      role: 'customer',
      subject: 'c1',
      storeId: 's1',
    });
    const late = await verifyAuthorization(`Bearer ${token}`, key, at(65_000), marketplacePolicy, cache);
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.problem.message).toBe('the token has expired');
    expect(cache.size).toBe(0);
  });

  it('keeps nothing of a token that fails the check', async () => {
    const cache = new VerifiedTokenCache();
    const exp = Math.floor(NOW.getTime() / 1000) + 3600;
    const forged = await new SignJWT({ sub: 'u1', role: 'admin', exp })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(otherKey);
    const noTenant = await new SignJWT({ sub: 'u1', role: 'store', exp })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    for (const token of [forged, noTenant]) {
      expect((await verifyAuthorization(`Bearer ${token}`, key, at(0), marketplacePolicy, cache)).ok).toBe(
        false,
      );
    }
    expect(cache.size).toBe(0);
  });

  it('holds at most max tokens, dropping the least recently used', async () => {
    const cache = new VerifiedTokenCache({ max: 2 });
    const principal = { role: 'admin', subject: 'a', storeId: null };
    const exp = Math.floor(NOW.getTime() / 1000) + 3600;
    cache.remember('t1', principal, exp);
    cache.remember('t2', principal, exp);
    expect(cache.recall('t1', NOW)).toEqual(principal);
    cache.remember('t3', principal, exp);
    expect(cache.size).toBe(2);
    expect(cache.recall('t2', NOW)).toBeUndefined();
    expect(cache.recall('t1', NOW)).toEqual(principal);
  });
});
