import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditJson, MASKED, maskSecrets } from '../kernel/audit/audit-entry.js';
import type { AuditQuery } from '../kernel/audit/audit-log.js';
import { InMemoryAuditLog } from '../kernel/testing/in-memory-audit-log.js';

// Replay a failure with FC_SEED=<seed printed by fast-check>.
const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };

const SECRET_KEYS = ['smtp_password', 'sendgrid_api_key', 'webhook_secret', 'token', 'ses_access_key_id'];
const PLAIN_KEYS = ['subject', 'from_name', 'provider', 'url', 'enabled'];

/** JSON diffs whose keys mix secret-looking and plain names, nested a few levels. */
const diffs: fc.Arbitrary<{ [key: string]: AuditJson }> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...SECRET_KEYS, ...PLAIN_KEYS), tie('value'), { maxKeys: 4 }),
})).object as fc.Arbitrary<{ [key: string]: AuditJson }>;

/** The leaves outside secret keys, with their paths (masking must keep them as they are). */
function plainLeaves(value: AuditJson, path: string, secret: boolean, out: string[]): string[] {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) plainLeaves(item, `${path}[${i}]`, secret, out);
  } else if (value !== null && typeof value === 'object')
    for (const [key, inner] of Object.entries(value))
      plainLeaves(inner, `${path}.${key}`, secret || SECRET_KEYS.includes(key), out);
  else if (!secret) out.push(`${path}=${JSON.stringify(value)}`);
  return out;
}

/** Every leaf of a masked diff under a secret key is `[masked]` (or null). */
function onlyMasked(value: AuditJson, secret: boolean): boolean {
  if (Array.isArray(value)) return value.every((item) => onlyMasked(item, secret));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).every(([key, inner]) =>
      onlyMasked(inner, secret || SECRET_KEYS.includes(key)),
    );
  return !secret || value === null || value === MASKED;
}

const entry = (i: number, tenant: string, action: string, actor: string): AuditEntry => ({
  actor: { type: 'store', id: actor, role: 'store' },
  tenantId: tenant,
  action,
  target: { type: 'conversation', id: `c${i % 3}` },
  requestId: null,
  ip: null,
  userAgent: null,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  diff: {},
});

describe('audit log invariants', () => {
  it('masking leaves no value under a secret key, whatever the nesting, and keeps plain values', () => {
    fc.assert(
      fc.property(diffs, (diff) => {
        const masked = maskSecrets(diff);
        expect(onlyMasked(masked, false)).toBe(true);
        expect(plainLeaves(masked, '', false, [])).toEqual(plainLeaves(diff, '', false, []));
      }),
      { numRuns: 300, ...seed },
    );
  });

  it('keyset pages over any filter are the filtered log, newest first, each row once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tenant: fc.constantFrom('s1', 's2'),
            action: fc.constantFrom('conversation.close', 'conversation.reopen', 'message.delete'),
            actor: fc.constantFrom('u1', 'u2'),
          }),
          { maxLength: 25 },
        ),
        fc.record(
          {
            tenantId: fc.constantFrom('s1', 's2'),
            action: fc.constantFrom('conversation.*', 'message.delete'),
            actorId: fc.constantFrom('u1', 'u2'),
          },
          { requiredKeys: [] },
        ),
        fc.integer({ min: 1, max: 5 }),
        async (rows, filter, limit) => {
          const log = new InMemoryAuditLog();
          await log.append(rows.map((row, i) => entry(i, row.tenant, row.action, row.actor)));
          const everything = await log.list({ ...filter, limit: 1000 });
          const paged: string[] = [];
          let beforeId: string | undefined;
          for (;;) {
            const query: AuditQuery = { ...filter, limit, ...(beforeId === undefined ? {} : { beforeId }) };
            const page = await log.list(query);
            paged.push(...page.map((row) => row.id));
            if (page.length < limit) break;
            beforeId = page.at(-1)?.id;
          }
          expect(paged).toEqual(everything.map((row) => row.id));
          expect(new Set(paged).size).toBe(paged.length);
          const ids = paged.map(Number);
          expect([...ids].sort((a, b) => b - a)).toEqual(ids);
        },
      ),
      { numRuns: 150, ...seed },
    );
  });
});
