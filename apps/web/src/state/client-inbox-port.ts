import type { ParleyClient } from '@parley/client';
import type {
  ConversationDetail,
  ConversationPage,
  ConversationSummary,
  InboxPort,
  LiveFeed,
  LiveHandlers,
  Member,
  Message,
  MessageSearchPage,
  PresenceSignal,
  Recipient,
  Revision,
} from './inbox-port.js';

/** How many message search results a page asks for. */
const SEARCH_PAGE_SIZE = 20;

/** How many conversations a list page asks for: one screen and then some. */
const PAGE_SIZE = 50;

/**
 * The inbox's port over `@parley/client`: every call goes through the typed client on the
 * generic `/api/v1/conversations` API (the same for every audience and preset; the policy
 * decides), the live feed through `live` (the client's real-time connection). The API's shapes
 * are the port's, so values pass through unchanged.
 */
export function createClientInboxPort(
  client: ParleyClient,
  live: (handlers: LiveHandlers) => LiveFeed,
): InboxPort {
  return {
    async searchRecipients(type, query) {
      // The policy decides whom the caller may write to (a store: its customers; a care-team
      // user: no clinicians); a type it refuses answers 403, which the dialog never asks.
      const found = await client.listRecipients(type, { limit: 10, ...(query ? { q: query } : {}) });
      return found as unknown as readonly Recipient[];
    },
    async startConversation(input) {
      const detail = await client.startConversation({
        conversation_type: input.conversation_type,
        subject: input.subject,
        participants: [...input.participants],
        ...(input.initial_message ? { initial_message: input.initial_message } : {}),
      } as Parameters<ParleyClient['startConversation']>[0]);
      return detail as unknown as ConversationDetail;
    },
    async listConversations(cursor, filters) {
      const page = await client.listConversations({
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
        ...(filters.conversation_type
          ? {
              conversation_type: filters.conversation_type as
                | 'admin_store'
                | 'store_customer'
                | 'admin_customer',
            }
          : {}),
        ...(filters.is_closed !== undefined ? { is_closed: filters.is_closed } : {}),
        ...(filters.archived ? { archived: true } : {}),
        ...(filters.q ? { q: filters.q } : {}),
      });
      return page as unknown as ConversationPage;
    },
    async openConversation(id) {
      return (await client.getConversation(id)) as unknown as ConversationDetail;
    },
    async olderMessages(id, cursor) {
      const page = await client.listMessages(id, { cursor });
      return page as unknown as { messages: readonly Message[]; next_cursor: string | null };
    },
    async sendMessage(id, input, idempotencyKey, onProgress) {
      const { message } = await client.sendMessage(id, {
        content: input.content,
        files: [...input.files],
        idempotencyKey,
        ...(onProgress && input.files.length > 0
          ? { onUploadProgress: ({ loaded, total }) => onProgress(total > 0 ? loaded / total : 0) }
          : {}),
      });
      return message as unknown as Message;
    },
    async markRead(id, upToSeq) {
      const state = await client.markRead(id, upToSeq);
      return { unread_count: state.unread_count };
    },
    async setClosed(id, closed) {
      const line = closed ? await client.closeConversation(id) : await client.reopenConversation(id);
      return line as unknown as ConversationSummary;
    },
    async rename(id, subject) {
      return (await client.renameConversation(id, subject)) as unknown as ConversationSummary;
    },
    async addMember(id, participant) {
      // Only the reference: a display name is the directory's, not the request's.
      const { type, id: who } = participant;
      return (await client.addParticipants(id, [{ type, id: who }])) as unknown as readonly Member[];
    },
    removeMember: (id, { type, id: who }) => client.removeParticipant(id, { type, id: who }),
    async changeRole(id, { type, id: who }, role) {
      return (await client.changeParticipantRole(
        id,
        { type, id: who },
        role,
      )) as unknown as readonly Member[];
    },
    async setArchived(id, archived) {
      const { data } = archived
        ? await client.POST('/api/v1/conversations/{id}/archive', { params: { path: { id } } })
        : await client.POST('/api/v1/conversations/{id}/unarchive', { params: { path: { id } } });
      return data as unknown as ConversationSummary;
    },
    async editMessage(id, messageId, content, revision) {
      const { data } = await client.PATCH('/api/v1/conversations/{id}/messages/{message_id}', {
        params: { path: { id, message_id: messageId }, header: { 'if-match': `"${revision}"` } },
        body: { content },
      });
      return data as unknown as Message;
    },
    async revisions(id, messageId) {
      const { data } = await client.GET('/api/v1/conversations/{id}/messages/{message_id}/revisions', {
        params: { path: { id, message_id: messageId } },
      });
      return (data?.revisions ?? []) as unknown as readonly Revision[];
    },
    async searchMessages(query, cursor) {
      const { data } = await client.GET('/api/v1/conversations/search', {
        params: { query: { q: query, limit: SEARCH_PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
      });
      return data as unknown as MessageSearchPage;
    },
    download: (path) => client.download(path),
    async presence(participants) {
      const answer = await client.presence(participants);
      return answer.map((p) => ({
        participant: p.participant,
        status: p.status,
      })) as readonly PresenceSignal[];
    },
    live,
  };
}
