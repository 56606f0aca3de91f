import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConversationParticipant, ParticipantRef } from '@parley/messaging-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { createDatabase, type ParleyDatabase } from '../database.js';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
import { migrateToLatest } from '../migrator.js';
import { resolveTestDatabaseTarget } from '../testing/test-database.js';

// Two workers in two processes against one PostgreSQL database must never send the same
// notification, and their two event dispatchers deliver each event to the email subscriber once. PGlite is one process by construction, so this needs a real server.
const selected = await resolveTestDatabaseTarget();
const url = selected.kind === 'postgres' ? selected.url : null;
if (url === null) {
  console.info('[parley] two-process notification test skipped: it needs PostgreSQL (set DATABASE_URL)');
}

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(HERE, '..', 'node_modules', '.bin', 'tsx');
const CHILD = join(HERE, 'testing', 'notification-worker-process.ts');
const CUSTOMERS = 24;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url ?? '' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function runWorker(
  schema: string,
  workerId: string,
): Promise<{ workerId: string; sent: { to: string[]; emailLogId: string }[]; dispatched: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--conditions=@parley/source', CHILD, url ?? '', schema, workerId], {
      cwd: join(HERE, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`worker ${workerId} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
    });
  });
}

describe.runIf(url !== null)('notification workers in two processes (postgres)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let database: ParleyDatabase;

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    database = createDatabase({ kind: 'postgres', url: url ?? '', schema, poolSize: 4 });
    await migrateToLatest(database);
    const at = new Date(Date.now() - 60_000);
    const directory = new KyselyMarketplaceDirectory({ db: database.db });
    const store = new KyselyMessagingStore({ db: database.db });
    await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at);
    await directory.upsertPlatformUser(
      { id: 'u1', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' },
      at,
    );
    const staff: ParticipantRef = { type: 'store', id: 'u1' };
    for (let i = 0; i < CUSTOMERS; i += 1) {
      const customer: ParticipantRef = { type: 'customer', id: `c${i}` };
      await directory.upsertCustomer(
        {
          id: customer.id,
          storeId: 's1',
          name: `Customer ${i}`,
          email: `c${i}@mail.test`,
          locale: i % 2 ? 'fr' : 'en',
        },
        at,
      );
      const conversationId = crypto.randomUUID();
      const member = (participant: ParticipantRef): ConversationParticipant => ({
        conversationId,
        participant,
        tenantId: 's1',
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: at,
        joinedAt: at,
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      });
      await store.conversations.create(
        {
          id: conversationId,
          conversationType: 'store_customer',
          subject: `Order ${i}`,
          tenantId: 's1',
          isClosed: false,
          closedAt: null,
          closedBy: null,
          lastMessageAt: null,
          messageCount: 0,
          createdAt: at,
          updatedAt: at,
        },
        [member(staff), member(customer)],
      );
      for (const content of ['first', 'second']) {
        await store.messages.append({
          message: {
            id: crypto.randomUUID(),
            conversationId,
            sender: staff,
            content,
            isSystemMessage: false,
            createdAt: at,
            attachments: [],
          },
          requireOpen: true,
        });
      }
    }
  }, 60_000);

  afterAll(async () => {
    await database?.destroy();
    await admin(`drop schema if exists ${schema} cascade`);
  });

  it('sends every notification once, whichever process claims it', async () => {
    const results = await Promise.all([runWorker(schema, 'process-a'), runWorker(schema, 'process-b')]);
    const sent = results.flatMap((r) => r.sent);
    console.info(
      `[parley] emails per process: ${results.map((r) => `${r.workerId}=${r.sent.length}`).join(', ')}`,
    );
    const recipients = sent.flatMap((mail) => mail.to).sort();
    expect(recipients).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => `c${i}@mail.test`).sort());
    expect(new Set(sent.map((mail) => mail.emailLogId)).size).toBe(CUSTOMERS);
    // Both processes also ran an event dispatcher: the email subscriber got each of the
    // 2 × CUSTOMERS `message.sent` events exactly once between them.
    expect(results.reduce((sum, r) => sum + r.dispatched, 0)).toBe(2 * CUSTOMERS);

    const jobs = await database.db
      .selectFrom('notification_jobs')
      .select(['status', 'email_log_id'])
      .execute();
    expect(jobs).toHaveLength(CUSTOMERS * 2);
    expect(jobs.every((job) => job.status === 'sent')).toBe(true);
    const logs = await database.db.selectFrom('email_logs').select(['status']).execute();
    expect(logs.map((log) => log.status)).toEqual(Array(CUSTOMERS).fill('sent'));
  }, 120_000);
});
