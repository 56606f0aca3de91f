import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretKey } from '../src/auth.js';
import { compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { DEMO, demoTokens } from '../src/demo-seed.js';

// main-style startup on embedded PGlite in a temp data dir: compose, ready, demo tokens work, close.
describe('startup on embedded defaults (PGlite in the data dir)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-start-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('composes, migrates, seeds once, answers /readyz, and closes; a restart keeps the data and secret', async () => {
    const config = parseConfig({ PARLEY_LOG_LEVEL: 'silent' }, dir);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: join(dir, 'data', 'pglite') });

    const first = await compose(config);
    let secret: string;
    try {
      expect(first.seeded).toBe(true);
      expect(first.jwtSecret.source).toBe('generated');
      expect((await stat(join(dir, 'data', 'jwt-secret'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'data', 'uploads'))).isDirectory()).toBe(true);
      expect((await stat(join(dir, 'data', 'mail'))).isDirectory()).toBe(true);
      const ready = await first.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', database: 'pglite' });
      secret = first.jwtSecret.secret;
      const tokens = await demoTokens(secretKey(secret), first.directory);
      expect(tokens.map((t) => t.role)).toEqual(['admin', 'store', 'customer', 'service']);
      const store = tokens.find((t) => t.role === 'store');
      const inbox = await first.app.inject({
        method: 'GET',
        url: '/api/v1/store/messages',
        headers: { authorization: `Bearer ${store?.token}` },
      });
      expect(inbox.statusCode).toBe(200);
      expect(inbox.json()).toEqual({ conversations: [], total: 0, total_unread: 0, next_cursor: null });
      const user = await first.directory.getPlatformUser(DEMO.storeUser.id);
      expect(user).toMatchObject({ role: 'store', storeId: DEMO.store.id });
    } finally {
      await first.close();
    }
    // Closing twice is harmless (SIGTERM after an error, say).
    await first.close();

    const second = await compose(config);
    try {
      expect(second.seeded).toBe(false);
      expect(second.jwtSecret).toMatchObject({ source: 'data-dir', secret });
      expect(await second.directory.getCustomer(DEMO.customers[1].id)).toMatchObject({ locale: 'fr' });
      expect((await second.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('does not seed when told not to', async () => {
    const config = parseConfig(
      { PARLEY_LOG_LEVEL: 'silent', PARLEY_SEED_DEMO: 'false', PARLEY_DATA_DIR: 'other' },
      dir,
    );
    const api = await compose(config);
    try {
      expect(api.seeded).toBe(false);
      expect(await api.directory.isEmpty()).toBe(true);
    } finally {
      await api.close();
    }
  });
});
