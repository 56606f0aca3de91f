import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { DEMO, demoTokens } from '../src/demo-seed.js';
import { secretKey } from '../src/plugins/authentication.js';

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
      const user = await first.marketplaceDirectory?.getPlatformUser(DEMO.storeUser.id);
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
      expect(await second.marketplaceDirectory?.getCustomer(DEMO.customers[1].id)).toMatchObject({
        locale: 'fr',
      });
      expect((await second.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('stores uploads under {dataDir}/uploads/messages with sharp thumbnails, and sweeps orphans on a timer', async () => {
    const config = parseConfig(
      {
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_DATA_DIR: 'uploads-check',
        PARLEY_ATTACHMENT_SWEEP_INTERVAL: '50ms',
        PARLEY_ATTACHMENT_SWEEP_GRACE: '1h',
      },
      dir,
    );
    const api = await compose(config);
    try {
      const tokens = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
      const token = (role: string) => `Bearer ${tokens.find((t) => t.role === role)?.token}`;
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/v1/admin/messages',
        headers: { authorization: token('admin') },
        payload: {
          conversation_type: 'admin_store',
          subject: 'Files',
          recipient_type: 'store',
          recipient_id: DEMO.storeUser.id,
        },
      });
      expect(created.statusCode).toBe(201);
      const conversationId = created.json().id as string;
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      );
      const boundary = 'parleyboundary';
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="dot.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        png,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const sent = await api.app.inject({
        method: 'POST',
        url: `/api/v1/store/messages/${conversationId}/messages`,
        headers: {
          authorization: token('store'),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const [attachment] = sent.json().attachments;
      expect(attachment).toMatchObject({
        mime_type: 'image/png',
        is_image: true,
        image_width: 1,
        image_height: 1,
      });
      const now = new Date();
      const folder = join(
        config.dataDir,
        'uploads/messages',
        String(now.getUTCFullYear()),
        String(now.getUTCMonth() + 1).padStart(2, '0'),
        conversationId,
      );
      expect((await readdir(folder)).sort()).toEqual([`${attachment.id}.png`, `${attachment.id}.thumb.webp`]);
      const orphanDir = join(config.dataDir, 'uploads/messages/2026/01/orphaned');
      await mkdir(orphanDir, { recursive: true });
      await writeFile(join(orphanDir, 'left-behind.bin'), 'x');
      await writeFile(join(orphanDir, 'in-flight.bin'), 'x'); // fresh: inside the grace period
      const old = new Date(Date.now() - 2 * 3_600_000);
      await utimes(join(orphanDir, 'left-behind.bin'), old, old);
      await expect.poll(() => readdir(orphanDir), { timeout: 5000 }).toEqual(['in-flight.bin']);
      expect((await readdir(folder)).length).toBe(2);
    } finally {
      await api.close();
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
