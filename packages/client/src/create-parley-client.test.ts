import { describe, expect, it } from 'vitest';
import { createParleyClient } from './create-parley-client.js';
import { ParleyApiError, ParleyNetworkError } from './parley-api-error.js';
import type { XhrConstructor } from './xhr-request.js';

/** An XMLHttpRequest double: records the request, reports progress in two steps, then answers. */
function fakeXhr(answer: { status: number; body: string; headers?: string } | 'network-error') {
  const requests: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  class FakeXhr {
    upload: {
      onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
    } = { onprogress: null };
    status = 0;
    responseText = '';
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    #request = { method: '', url: '', headers: {} as Record<string, string>, body: undefined as unknown };
    open(method: string, url: string) {
      this.#request.method = method;
      this.#request.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.#request.headers[name] = value;
    }
    getAllResponseHeaders() {
      return answer === 'network-error' ? '' : (answer.headers ?? '');
    }
    send(body: unknown) {
      this.#request.body = body;
      requests.push(this.#request);
      queueMicrotask(() => {
        if (answer === 'network-error') {
          this.onerror?.();
          return;
        }
        this.upload.onprogress?.({ loaded: 50, total: 100, lengthComputable: true });
        this.upload.onprogress?.({ loaded: 100, total: 100, lengthComputable: true });
        this.status = answer.status;
        this.responseText = answer.body;
        this.onload?.();
      });
    }
    abort() {
      this.onabort?.();
    }
  }
  return { Xhr: FakeXhr as unknown as XhrConstructor, requests };
}

describe('sendMessage with upload progress', () => {
  const message = { id: 'm1', content: 'photo', attachments: [] };

  it('goes through XMLHttpRequest with the token and Idempotency-Key, and reports progress', async () => {
    const { Xhr, requests } = fakeXhr({
      status: 201,
      body: JSON.stringify(message),
      headers: 'content-type: application/json\r\nidempotent-replayed: true\r\n',
    });
    const client = createParleyClient({
      baseUrl: 'https://api.example.com/',
      token: async () => 'tok',
      XMLHttpRequest: Xhr,
    });
    const progress: number[] = [];
    const sent = await client.sendMessage('c/1', {
      content: 'photo',
      files: [new Blob(['png'], { type: 'image/png' })],
      idempotencyKey: 'k-1',
      onUploadProgress: ({ loaded, total }) => progress.push(loaded / total),
    });
    expect(sent).toEqual({ message, replayed: true, idempotencyKey: 'k-1' });
    expect(progress).toEqual([0.5, 1]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'https://api.example.com/api/v1/conversations/c%2F1/messages',
      headers: { authorization: 'Bearer tok', 'idempotency-key': 'k-1' },
    });
    const form = requests[0]?.body as FormData;
    expect(form.get('content')).toBe('photo');
    expect((form.get('files') as File).name).toBe('file');
  });

  it('sends JSON through it when there are no files, and throws the problem on an error status', async () => {
    const problem = {
      type: 'urn:parley:problem:conversation-closed',
      title: 'Conflict',
      status: 409,
      detail: 'closed',
      code: 'CONVERSATION_CLOSED',
    };
    const { Xhr, requests } = fakeXhr({
      status: 409,
      body: JSON.stringify(problem),
      headers: 'content-type: application/problem+json',
    });
    const client = createParleyClient({ baseUrl: '', token: 't', XMLHttpRequest: Xhr });
    const error = await client
      .sendMessage('c1', { content: 'hi', onUploadProgress: () => {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyApiError);
    expect(error).toMatchObject({ status: 409, code: 'CONVERSATION_CLOSED' });
    expect(requests[0]).toMatchObject({
      url: '/api/v1/conversations/c1/messages',
      headers: { 'content-type': 'application/json' },
      body: '{"content":"hi"}',
    });
  });

  it('turns a request without an answer into a ParleyNetworkError', async () => {
    const { Xhr } = fakeXhr('network-error');
    const client = createParleyClient({
      baseUrl: 'https://api.example.com',
      token: 't',
      XMLHttpRequest: Xhr,
    });
    await expect(
      client.sendMessage('c1', { content: 'x', onUploadProgress: () => {} }),
    ).rejects.toBeInstanceOf(ParleyNetworkError);
  });

  it('without XMLHttpRequest (Node) sends with fetch and reports the whole upload once done', async () => {
    const seen: Request[] = [];
    const client = createParleyClient({
      baseUrl: 'https://api.example.com',
      token: 't',
      fetch: async (input) => {
        seen.push(input as Request);
        return new Response(JSON.stringify(message), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const progress: { loaded: number; total: number }[] = [];
    const sent = await client.sendMessage('c1', {
      files: [{ data: new Blob(['12345']), filename: 'a.txt' }],
      onUploadProgress: (p) => progress.push(p),
    });
    expect(sent.message).toEqual(message);
    expect(progress).toEqual([{ loaded: 5, total: 5 }]);
    expect(seen[0]?.headers.get('idempotency-key')).toBe(sent.idempotencyKey);
  });
});
