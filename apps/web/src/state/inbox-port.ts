// The inbox's view of the API: the few calls and the live feed the state needs, in the API's own
// shapes (snake_case). `client-inbox-port.ts` implements it over `@parley/client`; tests use an
// in-memory one. Keeping the state behind this seam lets its logic run in vitest without a browser.

/** Someone in a conversation, as the API names them. */
export interface ParticipantRef {
  readonly type: string;
  readonly id: string;
}

/** A counterpart shown in the list: type, id and display name. */
export interface Counterpart extends ParticipantRef {
  readonly name: string;
}

/** One file of a message, with URLs under the caller's own routes. */
export interface Attachment {
  readonly id: string;
  readonly original_filename: string;
  readonly file_size: number;
  readonly mime_type: string;
  readonly is_image: boolean;
  readonly download_url: string;
  readonly thumbnail_url: string | null;
}

/** A message as the API returns it to the caller. */
export interface Message {
  readonly id: string;
  readonly conversation_id: string;
  readonly seq: number;
  readonly sender_type: string;
  readonly sender_id: string;
  readonly sender_name: string;
  readonly content: string;
  readonly is_system_message: boolean;
  readonly is_deleted: boolean;
  readonly created_at: string;
  readonly attachments: readonly Attachment[];
  /** How many of the other members have it delivered (a client acknowledged it, or they read it). */
  readonly delivered_count?: number;
  /** Who of the other members read it and since when (null in conversations of over 20 members). */
  readonly read_by?: readonly Receipt[] | null;
  /** How many of the other members read it. */
  readonly read_count?: number;
  /** When it was last edited (null: never); absent from older fakes. */
  readonly edited_at?: string | null;
  /** 1 as sent, one more per edit: what an edit's `If-Match` names. */
  readonly revision?: number;
  /**
   * Where moderation holds it, for its sender (`held`: not delivered until approved; `rejected`:
   * never delivered, with the reason the sender sees). Absent when no moderator has a say.
   */
  readonly moderation?: Moderation;
}

/** A message's moderation state as its sender sees it. */
export interface Moderation {
  readonly state: 'held' | 'flagged' | 'rejected' | 'approved';
  readonly reason?: string;
}

/** The inbox line of a conversation: the caller's own unread count and read position. */
export interface ConversationSummary {
  readonly id: string;
  readonly conversation_type: string;
  readonly subject: string;
  readonly is_closed: boolean;
  readonly last_message_at: string | null;
  readonly message_count: number;
  readonly unread_count: number;
  readonly last_read_seq: number;
  readonly muted: boolean;
  readonly other_participants: readonly Counterpart[];
  /** The caller archived it (out of their default list); absent from older fakes. */
  readonly archived?: boolean;
  readonly last_message: {
    readonly seq: number;
    readonly content: string;
    readonly sender_type: string;
    readonly sender_id: string;
    readonly created_at: string;
  } | null;
  readonly created_at: string;
}

/** Someone who read (or received) a message, and since when. */
export interface Receipt extends ParticipantRef {
  readonly at: string;
}

/** A member of an open conversation: their role in it and how far they have read. */
export interface Member extends Counterpart {
  readonly last_read_seq: number;
  /** When they last read; absent from older fakes. */
  readonly last_read_at?: string | null;
  /** Their role in the conversation (`member`, `admin`, `requester`, `agent` …). */
  readonly role?: string;
}

/** An opened conversation: its line, its members and its latest messages (oldest first). */
export interface ConversationDetail extends ConversationSummary {
  readonly participants: readonly Member[];
  readonly messages: readonly Message[];
  readonly next_cursor: string | null;
}

/** One page of the list, newest activity first. */
export interface ConversationPage {
  readonly conversations: readonly ConversationSummary[];
  readonly total_unread: number;
  readonly next_cursor: string | null;
}

/** A durable real-time frame (`docs/realtime.md`): its log id, type, conversation and data. */
export interface LiveEvent {
  readonly id: string;
  readonly type: string;
  readonly conversation_id: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The connection's state as the banner shows it. */
export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting';

/** What the store hears from the live feed. */
export interface LiveHandlers {
  event(event: LiveEvent): void;
  status(status: ConnectionStatus): void;
  /** The server could not replay what was missed: refetch the list and the open thread. */
  resync(): void;
  /** Someone started or stopped typing in a conversation (ephemeral, never replayed). */
  typing(frame: TypingSignal): void;
  /** Someone's presence changed (ephemeral). */
  presence(signal: PresenceSignal): void;
}

/** Whether someone is reachable now. */
export interface PresenceSignal {
  readonly participant: ParticipantRef;
  readonly status: 'online' | 'away' | 'offline';
}

/** A typing frame: who, where, and whether they started or stopped. */
export interface TypingSignal {
  readonly conversation_id: string;
  readonly participant: ParticipantRef;
  readonly state: 'start' | 'stop';
}

/** The running live feed: what the person says through it, and its stop. */
export interface LiveFeed {
  /** A keystroke in a conversation's composer (the feed throttles what it sends). */
  typing(conversationId: string): void;
  /** The person sent, or cleared the composer. */
  stopTyping(conversationId: string): void;
  stop(): void;
}

/** Someone a new conversation can be started with. */
export interface Recipient extends Counterpart {
  readonly email: string | null;
}

/**
 * What starting a conversation takes: its type, subject, the other people (none for a type opened
 * alone, such as the community's support requests) and a first message.
 */
export interface NewConversation {
  readonly conversation_type: string;
  readonly subject: string;
  readonly participants: readonly ParticipantRef[];
  readonly initial_message: string;
}

/**
 * The list's filters: a conversation type, open or closed (absent: all), the archived ones
 * instead of the inbox, and `q` (subjects and counterpart names, the API's list filter).
 */
export interface ListFilters {
  readonly conversation_type?: string;
  readonly is_closed?: boolean;
  readonly archived?: boolean;
  readonly q?: string;
}

/** A piece of a search snippet: plain text, `highlight` for a match (rendered as text, never HTML). */
export interface SnippetSegment {
  readonly text: string;
  readonly highlight: boolean;
}

/** A message found by the full-text search, with its conversation and a snippet. */
export interface MessageSearchResult {
  readonly conversation: {
    readonly id: string;
    readonly conversation_type: string;
    readonly subject: string;
    readonly is_closed: boolean;
  };
  readonly message: {
    readonly id: string;
    readonly conversation_id: string;
    readonly seq: number;
    readonly sender_type: string;
    readonly sender_id: string;
    readonly sender_name: string;
    readonly created_at: string;
  };
  readonly snippet: readonly SnippetSegment[];
}

/** One page of message search results, best first. */
export interface MessageSearchPage {
  readonly results: readonly MessageSearchResult[];
  readonly next_cursor: string | null;
}

/** One version of a message's content (1: as sent; the current one is last). */
export interface Revision {
  readonly revision: number;
  readonly content: string;
  readonly editor: Counterpart;
  readonly created_at: string;
  readonly current: boolean;
}

/** The calls the inbox makes; every one may reject with an error the view shows. */
export interface InboxPort {
  listConversations(cursor: string | null, filters: ListFilters): Promise<ConversationPage>;
  openConversation(id: string): Promise<ConversationDetail>;
  olderMessages(
    id: string,
    cursor: string,
  ): Promise<{ messages: readonly Message[]; next_cursor: string | null }>;
  /**
   * Sends with an `Idempotency-Key`: a retry with the same key never sends twice. With files,
   * `onProgress` hears the upload's progress (0 to 1).
   */
  sendMessage(
    id: string,
    input: { content: string; files: readonly File[] },
    idempotencyKey: string,
    onProgress?: (fraction: number) => void,
  ): Promise<Message>;
  markRead(id: string, upToSeq: number): Promise<{ unread_count: number }>;
  /** Closes (true) or reopens (false) a conversation; answers its new inbox line. */
  setClosed(id: string, closed: boolean): Promise<ConversationSummary>;
  /** People of `type` the caller may start a conversation with, matching `query` (name or email). */
  searchRecipients(type: string, query: string): Promise<readonly Recipient[]>;
  startConversation(input: NewConversation): Promise<ConversationDetail>;
  /** Renames a conversation; answers its new inbox line. */
  rename(id: string, subject: string): Promise<ConversationSummary>;
  /** Adds someone to a conversation (their type's first role); answers the active members. */
  addMember(id: string, participant: ParticipantRef): Promise<readonly Member[]>;
  /** Removes a member, or leaves when `participant` is the caller. */
  removeMember(id: string, participant: ParticipantRef): Promise<void>;
  /** Changes a member's role; answers the active members. */
  changeRole(id: string, participant: ParticipantRef, role: string): Promise<readonly Member[]>;
  /** Presence of those among `participants` who share a conversation with the caller. */
  presence(participants: readonly ParticipantRef[]): Promise<readonly PresenceSignal[]>;
  /** An attachment or thumbnail by its `download_url` / `thumbnail_url`, with the bearer token. */
  download(path: string): Promise<Blob>;
  /** Archives (true) or unarchives (false) a conversation for the caller only; answers its line. */
  setArchived(id: string, archived: boolean): Promise<ConversationSummary>;
  /**
   * Edits one's own message; `revision` is the one the person saw (`If-Match`): a newer one on the
   * server is a 412 and nothing changes. The API decides the window (403) and deleted or closed
   * (409). Answers the message as it now is.
   */
  editMessage(id: string, messageId: string, content: string, revision: number): Promise<Message>;
  /** Every version of a message's content, oldest first. */
  revisions(id: string, messageId: string): Promise<readonly Revision[]>;
  /** Full-text search over the caller's messages (`cursor`: the previous page's `next_cursor`). */
  searchMessages(query: string, cursor: string | null): Promise<MessageSearchPage>;
  /** Starts the live feed. */
  live(handlers: LiveHandlers): LiveFeed;
}
