import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import { ParleyApiError, ParleyNetworkError } from './parley-api-error.js';
import { resolveToken, type TokenProvider } from './token-provider.js';
import type {
  ConversationDetail,
  ConversationPage,
  ConversationQuery,
  ConversationSummary,
  Message,
  MessagePage,
  Participant,
  Presence,
  QueryOf,
  ReadState,
  RealtimeTicket,
  Recipient,
  RecipientQuery,
  RequestBody,
  StartConversation,
  UnreadCount,
} from './types.js';
import { type UploadProgress, type XhrConstructor, xhrRequest } from './xhr-request.js';

/** How to reach the API and who is calling. */
export interface ParleyClientOptions {
  /**
   * The API's origin (and path prefix, if any), without a trailing slash: `https://api.example.com`;
   * `''` in a browser page served by the API itself (same origin).
   */
  readonly baseUrl: string;
  /** The bearer token, or a provider called before every request (to refresh an expiring one). */
  readonly token: TokenProvider;
  /** A `fetch` of your own (tests, instrumentation); default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** For sends with `onUploadProgress`; default `globalThis.XMLHttpRequest` (browsers). */
  readonly XMLHttpRequest?: XhrConstructor;
}

/** A file to attach: a `File` (its name is used) or any `Blob` with a name. */
export type FileInput = Blob | { readonly data: Blob; readonly filename: string };

/** What `sendMessage` sends: text, files, or both. */
export interface SendMessageInput {
  /** The text; may be empty when files are attached. */
  readonly content?: string;
  /** Sent as `multipart/form-data` when present and not empty; JSON otherwise. */
  readonly files?: readonly FileInput[];
  /**
   * Makes the send safe to retry: pass the key of a failed attempt again and the API returns the
   * first message instead of sending twice. Default: a new random UUID (returned with the result).
   */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
  /**
   * Called as the body uploads. Browsers report progress through `XMLHttpRequest` only (fetch
   * cannot), so the send goes through it when this is set; where there is none (Node), it is
   * called once, with everything loaded, when the answer arrives.
   */
  readonly onUploadProgress?: (progress: UploadProgress) => void;
}

/** The answer of `sendMessage`. */
export interface SentMessage {
  readonly message: Message;
  /** True when the API answered a retry with the message an earlier attempt sent. */
  readonly replayed: boolean;
  /** The key used (the caller's, or the generated one): reuse it to retry this very send. */
  readonly idempotencyKey: string;
}

/** A participant reference: `{ type: 'customer', id: 'c1' }`. */
export interface ParticipantRef {
  readonly type: string;
  readonly id: string;
}

/**
 * The typed client: openapi-fetch's `GET`/`POST`/`PUT`/`PATCH`/`DELETE` over every route of the
 * document, and helpers for what an inbox does, all on the generic `/api/v1/conversations` API
 * (the same conversations for every audience and preset). Every call throws `ParleyApiError` for
 * a non-2xx answer and `ParleyNetworkError` when no answer came; a returned result is a success.
 */
export interface ParleyClient {
  /** The underlying openapi-fetch client (add middleware with `api.use`). */
  readonly api: Client<paths>;
  readonly GET: Client<paths>['GET'];
  readonly POST: Client<paths>['POST'];
  readonly PUT: Client<paths>['PUT'];
  readonly PATCH: Client<paths>['PATCH'];
  readonly DELETE: Client<paths>['DELETE'];
  /** One page of the caller's conversations; pass the previous page's `next_cursor` as `cursor`. */
  listConversations(query?: ConversationQuery): Promise<ConversationPage>;
  /** Every page of the caller's conversations, following `next_cursor` until it is null. */
  conversationPages(query?: Omit<ConversationQuery, 'cursor'>): AsyncGenerator<ConversationPage>;
  /** A conversation with its members and latest messages; `markRead` reads up to the newest. */
  getConversation(id: string, options?: { readonly markRead?: boolean }): Promise<ConversationDetail>;
  /** Older history: pass the detail's (or previous page's) `next_cursor`. */
  listMessages(
    id: string,
    options?: { readonly cursor?: string; readonly limit?: number },
  ): Promise<MessagePage>;
  /** Sends a message (JSON, or multipart with files) with an `Idempotency-Key`. */
  sendMessage(id: string, input: SendMessageInput): Promise<SentMessage>;
  /** Moves the caller's read state up to `upToSeq` (default: the latest message). */
  markRead(id: string, upToSeq?: number): Promise<ReadState>;
  /** Closes the conversation (the policy decides who may: customers get a 403). */
  closeConversation(id: string): Promise<ConversationSummary>;
  /** Reopens a closed conversation. */
  reopenConversation(id: string): Promise<ConversationSummary>;
  /** Starts a conversation with the given participants (everyone but the caller). */
  startConversation(body: StartConversation): Promise<ConversationDetail>;
  /** The header badge: unread messages over the caller's non-muted conversations. */
  unreadCount(): Promise<UnreadCount>;
  /** Renames a conversation (the policy decides who may: community group admins, the support team). */
  renameConversation(id: string, subject: string): Promise<ConversationSummary>;
  /** Adds people (`role` defaults to the type's first); answers the active members. */
  addParticipants(
    id: string,
    participants: readonly (ParticipantRef & { readonly role?: string })[],
  ): Promise<Participant[]>;
  /** Removes a member, or leaves when `participant` is the caller. */
  removeParticipant(id: string, participant: ParticipantRef): Promise<void>;
  /** Changes a member's role (`admin` / `member` in community groups); answers the active members. */
  changeParticipantRole(id: string, participant: ParticipantRef, role: string): Promise<Participant[]>;
  /**
   * People an admin or a store user may start a conversation with (the compose dialog's search),
   * through their audience's route; customers have none (404).
   */
  recipients(audience: 'admin' | 'store', query: RecipientQuery): Promise<Recipient[]>;
  /**
   * People of participant `type` the caller may start a conversation with, for any participant
   * token of any preset (`GET /api/v1/conversations/recipients`): `q` matches name or email,
   * `limit` 1–100 (default 20). A type the caller may start nothing with throws a 403
   * `ParleyApiError` (a care-team user listing clinicians); an unknown type a 400.
   *
   * @example
   * ```ts
   * const mentors = await parley.listRecipients('mentor', { q: 'mia', limit: 10 });
   * ```
   */
  listRecipients(
    type: string,
    options?: { readonly q?: string; readonly limit?: number },
  ): Promise<Recipient[]>;
  /** Presence of those among `participants` who share a conversation with the caller. */
  presence(participants: readonly ParticipantRef[]): Promise<Presence[]>;
  /** A single-use ticket (60 s) for a browser's real-time connection. */
  realtimeTicket(): Promise<RealtimeTicket>;
  /** The absolute URL of an API path such as an attachment's `download_url` or `thumbnail_url`. */
  url(path: string): string;
  /**
   * Downloads an attachment (or thumbnail) by its `download_url` / `thumbnail_url` with the bearer
   * token (an `<img src>` cannot carry it): show it with `URL.createObjectURL(blob)`.
   */
  download(path: string, options?: { readonly signal?: AbortSignal }): Promise<Blob>;
}

/**
 * Creates the typed client.
 *
 * @example
 * ```ts
 * const parley = createParleyClient({ baseUrl: 'https://api.example.com', token: () => auth.freshToken() });
 * const { conversations, next_cursor } = await parley.listConversations({ unread_only: true });
 * ```
 */
export function createParleyClient(options: ParleyClientOptions): ParleyClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const api = createClient<paths>({ baseUrl, fetch: (request) => fetchImpl(request) });
  api.use(authAndErrors(options.token));

  const url = (path: string) => (/^[a-z][a-z0-9+.-]*:/i.test(path) ? path : `${baseUrl}${path}`);
  const listConversations = async (query: ConversationQuery = {}) => {
    // Any preset's conversation type (see ConversationQuery); the server validates it.
    const { data } = await api.GET('/api/v1/conversations', {
      params: { query: query as QueryOf<'/api/v1/conversations', 'get'> },
    });
    return data as ConversationPage;
  };

  return {
    api,
    GET: api.GET,
    POST: api.POST,
    PUT: api.PUT,
    PATCH: api.PATCH,
    DELETE: api.DELETE,

    listConversations,

    async *conversationPages(query = {}) {
      let cursor: string | undefined;
      do {
        const page: ConversationPage = await listConversations(
          cursor === undefined ? query : { ...query, cursor },
        );
        yield page;
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
    },

    async getConversation(id, { markRead } = {}) {
      const { data } = await api.GET('/api/v1/conversations/{id}', {
        params: { path: { id }, ...(markRead ? { query: { mark_read: true } } : {}) },
      });
      return data as ConversationDetail;
    },

    async listMessages(id, { cursor, limit } = {}) {
      const { data } = await api.GET('/api/v1/conversations/{id}/messages', {
        params: {
          path: { id },
          query: { ...(cursor !== undefined ? { cursor } : {}), ...(limit !== undefined ? { limit } : {}) },
        },
      });
      return data as MessagePage;
    },

    async sendMessage(id, input) {
      const idempotencyKey = input.idempotencyKey ?? randomKey();
      const files = input.files ?? [];
      const body = files.length > 0 ? formOf(input.content, files) : { content: input.content ?? '' };
      const Xhr =
        options.XMLHttpRequest ?? (globalThis as { XMLHttpRequest?: XhrConstructor }).XMLHttpRequest;
      if (input.onUploadProgress && Xhr) {
        const target = url(`/api/v1/conversations/${encodeURIComponent(id)}/messages`);
        const headers: Record<string, string> = {
          authorization: `Bearer ${await resolveToken(options.token)}`,
          'idempotency-key': idempotencyKey,
        };
        if (!(body instanceof FormData)) headers['content-type'] = 'application/json';
        let response: Response;
        try {
          response = await xhrRequest(Xhr, {
            method: 'POST',
            url: target,
            headers,
            body: body instanceof FormData ? body : JSON.stringify(body),
            signal: input.signal,
            onUploadProgress: input.onUploadProgress,
          });
        } catch (error) {
          if (input.signal?.aborted) throw error;
          throw new ParleyNetworkError('POST', target, error);
        }
        if (!response.ok) throw await ParleyApiError.fromResponse(response);
        return {
          message: (await response.json()) as Message,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          idempotencyKey,
        };
      }
      const { data, response } = await api.POST('/api/v1/conversations/{id}/messages', {
        params: { path: { id }, header: { 'idempotency-key': idempotencyKey } },
        // The document declares the JSON body; multipart goes through as FormData, which
        // openapi-fetch sends untouched with the browser's own boundary.
        body: body as { content: string },
        ...(input.signal ? { signal: input.signal } : {}),
      });
      if (input.onUploadProgress) {
        const size = body instanceof FormData ? files.reduce((sum, f) => sum + blobOf(f).size, 0) : 0;
        input.onUploadProgress({ loaded: size, total: size });
      }
      return {
        message: data as Message,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        idempotencyKey,
      };
    },

    async markRead(id, upToSeq) {
      const { data } = await api.POST('/api/v1/conversations/{id}/read', {
        params: { path: { id } },
        ...(upToSeq !== undefined ? { body: { up_to_seq: upToSeq } } : {}),
      });
      return data as ReadState;
    },

    async closeConversation(id) {
      const { data } = await api.POST('/api/v1/conversations/{id}/close', { params: { path: { id } } });
      return data as ConversationSummary;
    },

    async reopenConversation(id) {
      const { data } = await api.POST('/api/v1/conversations/{id}/reopen', { params: { path: { id } } });
      return data as ConversationSummary;
    },

    async startConversation(body) {
      const { data } = await api.POST('/api/v1/conversations', {
        body: body as RequestBody<'/api/v1/conversations', 'post'>,
      });
      return data as ConversationDetail;
    },

    async unreadCount() {
      const { data } = await api.GET('/api/v1/conversations/unread-count');
      return data as UnreadCount;
    },

    async renameConversation(id, subject) {
      const { data } = await api.PATCH('/api/v1/conversations/{id}', {
        params: { path: { id } },
        body: { subject },
      });
      return data as ConversationSummary;
    },

    async addParticipants(id, participants) {
      // Any preset's participant types (the document lists the marketplace's); the server validates.
      const { data } = await api.POST('/api/v1/conversations/{id}/participants', {
        params: { path: { id } },
        body: { participants } as unknown as RequestBody<'/api/v1/conversations/{id}/participants', 'post'>,
      });
      return (data?.participants ?? []) as Participant[];
    },

    async removeParticipant(id, participant) {
      await api.DELETE('/api/v1/conversations/{id}/participants/{type}/{participant_id}', {
        params: { path: { id, type: participant.type, participant_id: participant.id } },
      });
    },

    async changeParticipantRole(id, participant, role) {
      const { data } = await api.PATCH('/api/v1/conversations/{id}/participants/{type}/{participant_id}', {
        params: { path: { id, type: participant.type, participant_id: participant.id } },
        body: { role },
      });
      return (data?.participants ?? []) as Participant[];
    },

    async recipients(audience, query) {
      const { data } =
        audience === 'admin'
          ? await api.GET('/api/v1/admin/messages/recipients', { params: { query } })
          : await api.GET('/api/v1/store/messages/recipients', { params: { query } });
      return (data?.recipients ?? []) as Recipient[];
    },

    async listRecipients(type, { q, limit } = {}) {
      // Any preset's participant type (the document lists the marketplace's); the server validates.
      const query = { type, ...(q !== undefined ? { q } : {}), ...(limit !== undefined ? { limit } : {}) };
      const { data } = await api.GET('/api/v1/conversations/recipients', {
        params: { query: query as QueryOf<'/api/v1/conversations/recipients', 'get'> },
      });
      return (data?.recipients ?? []) as Recipient[];
    },

    async presence(participants) {
      if (participants.length === 0) return [];
      const { data } = await api.GET('/api/v1/presence', {
        params: { query: { participants: participants.map((p) => `${p.type}:${p.id}`).join(',') } },
      });
      return (data?.presence ?? []) as Presence[];
    },

    async realtimeTicket() {
      const { data } = await api.POST('/api/v1/realtime/ticket');
      return data as RealtimeTicket;
    },

    url,

    async download(path, { signal } = {}) {
      const target = url(path);
      let response: Response;
      try {
        response = await fetchImpl(target, {
          headers: { authorization: `Bearer ${await resolveToken(options.token)}` },
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw new ParleyNetworkError('GET', target, error);
      }
      if (!response.ok) throw await ParleyApiError.fromResponse(response);
      return response.blob();
    },
  };
}

/**
 * Sets `Authorization` from the token provider on every request, and turns every non-2xx answer
 * into a thrown `ParleyApiError` and every failed fetch into a `ParleyNetworkError`.
 */
function authAndErrors(token: TokenProvider): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await resolveToken(token)}`);
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw await ParleyApiError.fromResponse(response);
      return undefined;
    },
    onError({ request, error }) {
      if (error instanceof ParleyApiError || error instanceof ParleyNetworkError) return error;
      return new ParleyNetworkError(request.method, request.url, error);
    },
  };
}

function blobOf(file: FileInput): Blob {
  return file instanceof Blob ? file : file.data;
}

function formOf(content: string | undefined, files: readonly FileInput[]): FormData {
  const form = new FormData();
  if (content !== undefined && content !== '') form.append('content', content);
  for (const file of files) {
    if (file instanceof Blob) form.append('files', file, 'name' in file ? (file as File).name : 'file');
    else form.append('files', file.data, file.filename);
  }
  return form;
}

function randomKey(): string {
  return globalThis.crypto.randomUUID();
}
