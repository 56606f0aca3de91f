import { describe, expect, it } from 'vitest';
import { readClaims, TOKEN_STORAGE_KEY, type TokenSessionHost, takeToken } from './token-session.js';

function host(url: { pathname: string; search?: string; hash?: string }, stored?: string) {
  const storage = new Map<string, string>(stored ? [[TOKEN_STORAGE_KEY, stored]] : []);
  const replaced: string[] = [];
  const value: TokenSessionHost = {
    location: { pathname: url.pathname, search: url.search ?? '', hash: url.hash ?? '' },
    history: { replaceState: (_data, _unused, to) => replaced.push(to) },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, item) => void storage.set(key, item),
      removeItem: (key) => void storage.delete(key),
    },
  };
  return { value, storage, replaced };
}

function jwt(claims: object): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.sig`;
}

describe('takeToken', () => {
  it('keeps a token from the fragment for the tab and removes it from the address bar', () => {
    const h = host({ pathname: '/inbox/c/abc', search: '?x=1', hash: '#token=t.o.k' });
    expect(takeToken(h.value)).toBe('t.o.k');
    expect(h.storage.get(TOKEN_STORAGE_KEY)).toBe('t.o.k');
    expect(h.replaced).toEqual(['/inbox/c/abc?x=1']);
  });

  it('keeps other fragment parameters and never rewrites the URL without a token in it', () => {
    const h = host({ pathname: '/inbox', hash: '#token=a.b.c&view=x' });
    takeToken(h.value);
    expect(h.replaced).toEqual(['/inbox#view=x']);
    const kept = host({ pathname: '/inbox' }, 'old.to.ken');
    expect(takeToken(kept.value)).toBe('old.to.ken');
    expect(kept.replaced).toEqual([]);
    expect(takeToken(host({ pathname: '/inbox' }).value)).toBeNull();
  });
});

describe('readClaims', () => {
  it('reads subject, role and expiry, and refuses what is not a JWT', () => {
    expect(readClaims(jwt({ sub: 'u1', role: 'store', exp: 5 }))).toEqual({
      sub: 'u1',
      role: 'store',
      exp: 5,
      tenant: null,
    });
    expect(readClaims(jwt({ sub: 'a1', role: 'admin', tenant_id: 't1' }))?.tenant).toBe('t1');
    expect(readClaims(jwt({ sub: 'c1', role: 'customer', store_id: 's1' }))?.tenant).toBe('s1');
    expect(readClaims('nope')).toBeNull();
    expect(readClaims(jwt({ role: 'store' }))).toBeNull();
    expect(readClaims('a.!!!.c')).toBeNull();
  });
});
