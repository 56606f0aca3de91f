import { describe, expect, it } from 'vitest';
import { createParleyClient } from './create-parley-client.js';
import { ParleyApiError } from './parley-api-error.js';

/** A fetch double that records each request and answers from `answer`. */
function recordingFetch(answer: (request: Request) => Response) {
  const seen: { method: string; url: string; body: string; auth: string | null }[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({
      method: request.method,
      url: request.url,
      body: request.body ? await request.clone().text() : '',
      auth: request.headers.get('authorization'),
    });
    return answer(request);
  };
  return { fetchImpl: fetchImpl as typeof fetch, seen };
}

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

describe('membership helpers', () => {
  it("rename, add, change a role and remove through the generic routes, with any preset's types", async () => {
    const members = { participants: [{ type: 'student', id: 'stu-ben', role: 'member' }] };
    const { fetchImpl, seen } = recordingFetch((request) =>
      request.method === 'DELETE'
        ? json(204, null)
        : request.method === 'PATCH' && !request.url.includes('/participants/')
          ? json(200, { id: 'g1', subject: 'Algebra II' })
          : json(request.method === 'POST' ? 201 : 200, members),
    );
    const client = createParleyClient({ baseUrl: 'https://api.test', token: 'tok', fetch: fetchImpl });
    expect((await client.renameConversation('g1', 'Algebra II')).subject).toBe('Algebra II');
    expect(await client.addParticipants('g1', [{ type: 'student', id: 'stu-ben' }])).toEqual(
      members.participants,
    );
    expect(await client.changeParticipantRole('g1', { type: 'mentor', id: 'men-max' }, 'admin')).toEqual(
      members.participants,
    );
    await client.removeParticipant('g1', { type: 'student', id: 'stu/ben' });
    expect(seen).toEqual([
      {
        method: 'PATCH',
        url: 'https://api.test/api/v1/conversations/g1',
        body: '{"subject":"Algebra II"}',
        auth: 'Bearer tok',
      },
      {
        method: 'POST',
        url: 'https://api.test/api/v1/conversations/g1/participants',
        body: '{"participants":[{"type":"student","id":"stu-ben"}]}',
        auth: 'Bearer tok',
      },
      {
        method: 'PATCH',
        url: 'https://api.test/api/v1/conversations/g1/participants/mentor/men-max',
        body: '{"role":"admin"}',
        auth: 'Bearer tok',
      },
      {
        method: 'DELETE',
        url: 'https://api.test/api/v1/conversations/g1/participants/student/stu%2Fben',
        body: '',
        auth: 'Bearer tok',
      },
    ]);
  });

  it('throws the problem of a refused change', async () => {
    const { fetchImpl } = recordingFetch(() =>
      json(409, { status: 409, code: 'CONFLICT', title: 'Conflict', detail: 'a group keeps 3 members' }),
    );
    const client = createParleyClient({ baseUrl: 'https://api.test', token: 'tok', fetch: fetchImpl });
    const refused = client.removeParticipant('g1', { type: 'student', id: 'stu-ben' });
    await expect(refused).rejects.toBeInstanceOf(ParleyApiError);
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it("lists recipients of any preset's type through the generic route, with the search and limit", async () => {
    const found = {
      recipients: [{ type: 'mentor', id: 'men-mia', name: 'Mia Mentor', email: null, store_id: 'n' }],
    };
    const { fetchImpl, seen } = recordingFetch(() => json(200, found));
    const client = createParleyClient({ baseUrl: 'https://api.test', token: 'tok', fetch: fetchImpl });
    expect(await client.listRecipients('mentor', { q: 'mia & co', limit: 10 })).toEqual(found.recipients);
    expect(await client.listRecipients('student')).toEqual(found.recipients);
    expect(seen.map((r) => r.url)).toEqual([
      'https://api.test/api/v1/conversations/recipients?type=mentor&q=mia%20%26%20co&limit=10',
      'https://api.test/api/v1/conversations/recipients?type=student',
    ]);
  });

  it('throws the 403 of a type the caller may not start with', async () => {
    const { fetchImpl } = recordingFetch(() =>
      json(403, {
        status: 403,
        code: 'FORBIDDEN',
        title: 'Forbidden',
        detail: 'a user may not list clinicians',
      }),
    );
    const client = createParleyClient({ baseUrl: 'https://api.test', token: 'tok', fetch: fetchImpl });
    await expect(client.listRecipients('clinician')).rejects.toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });
});
