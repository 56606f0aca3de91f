import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { type Call, client } from './support/client.js';
import { composeForTest } from './support/composed-api.js';
import { listen, TestSocket } from './support/realtime-clients.js';

// Membership moves who receives what: a member removed from a group stops receiving its events
// at once, a member added starts (the community preset, through the generic routes).
const databases: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres' as const] : []),
];
const BASE = '/api/v1/conversations';
const PEOPLE = [
  ['mentor', 'mia'],
  ['student', 'ana'],
  ['student', 'ben'],
  ['student', 'cy'],
  ['student', 'dee'],
] as const;

describe.each(databases)('real-time delivery follows membership (%s)', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let base: string;
  let call: Call;
  const issued = new Map<string, string>();
  const token = (who: string): string => {
    const found = issued.get(who);
    if (found === undefined) throw new Error(`no token for ${who}`);
    return found;
  };
  const sockets: TestSocket[] = [];
  const connect = async (who: string) => {
    const socket = await TestSocket.connect(base, { token: token(who) });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    ({ api, close } = await composeForTest({
      database,
      env: { PARLEY_PRESET: 'community', PARLEY_SEED_DEMO: 'false', PARLEY_EVENT_POLL_INTERVAL: '100ms' },
    }));
    call = client(api);
    const key = secretKey(api.jwtSecret.secret);
    const service = await issueToken(key, { sub: 'platform', role: 'service' });
    expect(
      (await call('PUT', '/api/v1/platform/tenants/north', { token: service, body: { name: 'North' } }))
        .status,
    ).toBe(200);
    for (const [type, id] of PEOPLE) {
      const put = await call('PUT', `/api/v1/platform/people/${type}/${id}`, {
        token: service,
        body: { name: id, tenant_id: 'north' },
      });
      expect(put.status).toBe(200);
      issued.set(id, await issueToken(key, { sub: id, role: type, tenantId: 'north' }));
    }
    base = await listen(api);
  });
  afterAll(async () => {
    for (const socket of sockets) await socket.close();
    await close();
  });

  it('a removed member receives nothing after the removal; the others do', async () => {
    const ana = await connect('ana');
    const ben = await connect('ben');
    const created = await call('POST', BASE, {
      token: token('mia'),
      body: {
        conversation_type: 'group',
        subject: 'Algebra',
        participants: [
          { type: 'student', id: 'ana' },
          { type: 'student', id: 'ben' },
          { type: 'student', id: 'cy' },
        ],
        initial_message: 'Welcome',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await ben.next((f) => f.type === 'conversation.created' && f.conversation_id === id);
    const removed = await call('DELETE', `${BASE}/${id}/participants/student/ben`, { token: token('mia') });
    expect(removed.status).toBeLessThan(300);
    expect(await ben.next((f) => f.type === 'participant.removed' && f.conversation_id === id)).toBeDefined();
    const sent = await call('POST', `${BASE}/${id}/messages`, {
      token: token('mia'),
      body: { content: 'After Ben left' },
    });
    expect(sent.status).toBe(201);
    const toAna = await ana.next(
      (f) => f.type === 'message.sent' && f.data?.message?.content === 'After Ben left',
    );
    expect(toAna.conversation_id).toBe(id);
    expect(await ben.none((f) => f.type === 'message.sent' && f.conversation_id === id, 300)).toBe(true);

    // Typing there is refused to him too, and not relayed.
    ben.send({ type: 'typing', conversation_id: id, state: 'start' });
    expect(await ben.next((f) => f.type === 'error')).toMatchObject({ code: 'not_allowed' });

    const dee = await connect('dee');
    const added = await call('POST', `${BASE}/${id}/participants`, {
      token: token('mia'),
      body: { participants: [{ type: 'student', id: 'dee' }] },
    });
    expect(added.status).toBeLessThan(300);
    await call('POST', `${BASE}/${id}/messages`, { token: token('mia'), body: { content: 'Hello Dee' } });
    expect(
      await dee.next((f) => f.type === 'message.sent' && f.data?.message?.content === 'Hello Dee'),
    ).toBeDefined();
  });
});
