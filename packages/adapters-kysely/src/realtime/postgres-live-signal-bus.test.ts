import type { LiveSignal } from '@parley/messaging-core';
import { liveSignalBusContract } from '@parley/messaging-core/testing/contracts';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { resolveTestDatabaseTarget } from '../testing/test-database.js';
import { PostgresLiveSignalBus } from './postgres-live-signal-bus.js';

// LISTEN/NOTIFY needs a server: PGlite deployments use the in-memory bus.
const selected = await resolveTestDatabaseTarget();
const url = selected.kind === 'postgres' ? selected.url : null;
if (url === null) {
  console.info('[parley] PostgresLiveSignalBus tests skipped: they need PostgreSQL (set DATABASE_URL)');
}

describe.runIf(url !== null)('PostgresLiveSignalBus', () => {
  const errors: Error[] = [];
  liveSignalBusContract({
    name: 'PostgreSQL LISTEN/NOTIFY',
    create: (channel) =>
      new PostgresLiveSignalBus({ url: url ?? '', channel, onError: (e) => errors.push(e) }),
  });

  const admin = new pg.Client({ connectionString: url ?? '' });
  afterAll(async () => {
    await admin.end().catch(() => undefined);
  });

  it('refuses a channel that is not a plain identifier', () => {
    expect(() => new PostgresLiveSignalBus({ url: url ?? '', channel: 'signals; drop table x' })).toThrow(
      /invalid channel/,
    );
  });

  it('rejects start when the server cannot be reached', async () => {
    const bus = new PostgresLiveSignalBus({ url: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(bus.start()).rejects.toThrow();
    await bus.close();
  });

  it('listens and publishes again after its connections were killed', async () => {
    const channel = `signals_reconnect_${process.pid}`;
    const lost: Error[] = [];
    let reconnected = 0;
    const bus = new PostgresLiveSignalBus({
      url: url ?? '',
      channel,
      reconnectMs: 50,
      onError: (error) => lost.push(error),
      onReconnect: () => {
        reconnected += 1;
      },
    });
    const received: LiveSignal[] = [];
    bus.subscribe((signal) => received.push(signal));
    await bus.start();
    try {
      await admin.connect();
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and application_name = ''
           and (query = $1 or query like 'select pg_notify%')`,
        [`listen ${channel}`],
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(1);
      await vi.waitFor(() => expect(reconnected).toBe(1), { timeout: 5_000, interval: 20 });
      expect(lost.length).toBeGreaterThanOrEqual(1);
      await vi.waitFor(
        async () => {
          await bus.publish({ kind: 'presence_sync', origin: 'after' }).catch(() => undefined);
          expect(received).toContainEqual({ kind: 'presence_sync', origin: 'after' });
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await bus.close();
    }
  });
});
