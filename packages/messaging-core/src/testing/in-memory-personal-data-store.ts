import type { Message } from '../conversations/model/message.js';
import type { EventLog } from '../conversations/ports/event-log.js';
import type { EmailLog } from '../email/model/email-log.js';
import type { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { type ParticipantRef, participantKey, sameParticipant } from '../kernel/model/participant-ref.js';
import type { MarketplaceDirectory } from '../kernel/ports/marketplace-directory.js';
import type { PeopleDirectory } from '../kernel/ports/people-directory.js';
import type {
  ErasureOutcome,
  PersonalAttachmentRecord,
  PersonalBlockRecord,
  PersonalDataPage,
  PersonalDirectoryRecord,
  PersonalEmailLogRecord,
  PersonalHiddenMessageRecord,
  PersonalMembershipRecord,
  PersonalMessageRecord,
  PersonalReceiptRecord,
} from '../privacy/model/personal-data.js';
import type {
  PersonalDataRepositories,
  PersonalDataRepository,
  PersonalDataStore,
} from '../privacy/ports/personal-data-store.js';
import type { InMemoryMessagingState, InMemoryMessagingStore } from './in-memory-messaging-store.js';

export interface InMemoryPersonalDataStoreOptions {
  /** Conversations, memberships, messages, revisions, blocks and the event log. */
  readonly messaging: InMemoryMessagingStore;
  /** The preset's directory: read through its port, anonymised through its upserts. */
  readonly directory: MarketplaceDirectory | PeopleDirectory;
  /** The email log, when the composition has one. */
  readonly emailLogs?: InMemoryEmailLogRepository;
}

const iso = (value: Date): string => value.toISOString();
const isoOrNull = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
const byId = <T extends { readonly id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const page = <T extends { readonly id: string }>(records: T[], { after, limit }: PersonalDataPage): T[] =>
  records
    .sort(byId)
    .filter((record) => after === null || record.id > after)
    .slice(0, limit);
const USER_ROLES = new Set(['admin', 'store']);

function isMarketplace(directory: MarketplaceDirectory | PeopleDirectory): directory is MarketplaceDirectory {
  return 'getCustomer' in directory;
}

/** Every message of `person` (not system messages), in the state's own records. */
function sentBy(state: InMemoryMessagingState, person: ParticipantRef): Message[] {
  const found: Message[] = [];
  for (const list of state.messages.values())
    for (const message of list)
      if (!message.isSystemMessage && sameParticipant(message.sender, person)) found.push(message);
  return found;
}

/** The repository over one unit of work of the messaging store (`run` runs inside it). */
class StatePersonalData implements PersonalDataRepository {
  readonly #run: <T>(work: (state: InMemoryMessagingState) => Promise<T>) => Promise<T>;
  readonly #directory: MarketplaceDirectory | PeopleDirectory;
  readonly #emailLogs: InMemoryEmailLogRepository | undefined;

  constructor(
    run: <T>(work: (state: InMemoryMessagingState) => Promise<T>) => Promise<T>,
    options: InMemoryPersonalDataStoreOptions,
  ) {
    this.#run = run;
    this.#directory = options.directory;
    this.#emailLogs = options.emailLogs;
  }

  async directoryEntry(person: ParticipantRef): Promise<PersonalDirectoryRecord | null> {
    const directory = this.#directory;
    if (!isMarketplace(directory)) {
      const found = await directory.getPerson(person);
      return found
        ? {
            type: found.type,
            id: found.id,
            name: found.name,
            email: found.email,
            locale: found.locale,
            tenant_id: found.tenantId,
            created_at: iso(found.createdAt),
            updated_at: iso(found.updatedAt),
          }
        : null;
    }
    if (person.type === 'customer') {
      const customer = await directory.getCustomer(person.id);
      if (customer)
        return {
          type: 'customer',
          id: customer.id,
          name: customer.name,
          email: customer.email === '' ? null : customer.email,
          locale: customer.locale,
          tenant_id: customer.storeId,
          created_at: iso(customer.createdAt),
          updated_at: iso(customer.updatedAt),
        };
    }
    if (USER_ROLES.has(person.type)) {
      const user = await directory.getPlatformUser(person.id);
      if (user && user.role === person.type)
        return {
          type: user.role,
          id: user.id,
          name: user.name,
          email: user.email === '' ? null : user.email,
          locale: user.locale,
          tenant_id: user.storeId,
          created_at: iso(user.createdAt),
          updated_at: iso(user.updatedAt),
        };
    }
    return null;
  }

  async holdsAny(person: ParticipantRef): Promise<boolean> {
    if ((await this.directoryEntry(person)) !== null) return true;
    return this.#run(async (state) => {
      const key = participantKey(person);
      for (const members of state.participants.values()) if (members.has(key)) return true;
      return sentBy(state, person).length > 0;
    });
  }

  memberships(person: ParticipantRef): Promise<readonly PersonalMembershipRecord[]> {
    return this.#run(async (state) => {
      const key = participantKey(person);
      const found: PersonalMembershipRecord[] = [];
      for (const [conversationId, members] of state.participants) {
        const member = members.get(key);
        const conversation = state.conversations.get(conversationId);
        if (!member || !conversation) continue;
        found.push({
          conversation_id: conversationId,
          conversation_type: conversation.conversationType,
          subject: conversation.subject,
          role: member.role,
          joined_at: iso(member.joinedAt),
          left_at: isoOrNull(member.leftAt),
          last_read_seq: member.lastReadSeq,
          last_read_at: isoOrNull(member.lastReadAt),
          email_notifications: member.emailNotifications,
          muted: member.muted,
          archived_at: isoOrNull(member.archivedAt),
        });
      }
      return found.sort((a, b) => (a.conversation_id < b.conversation_id ? -1 : 1));
    });
  }

  sentMessages(person: ParticipantRef, range: PersonalDataPage): Promise<readonly PersonalMessageRecord[]> {
    return this.#run(async (state) =>
      page(sentBy(state, person), range).map((message) => ({
        id: message.id,
        conversation_id: message.conversationId,
        seq: message.seq,
        content: message.content,
        subject: message.subject ?? null,
        created_at: iso(message.createdAt),
        edited_at: isoOrNull(message.editedAt),
        revision: message.revision ?? 1,
        is_deleted: message.isDeleted,
        revisions: (state.revisions.get(message.id) ?? []).map((revision) => ({
          revision: revision.revision,
          content: revision.content,
          created_at: iso(revision.createdAt),
        })),
      })),
    );
  }

  attachments(person: ParticipantRef, range: PersonalDataPage): Promise<readonly PersonalAttachmentRecord[]> {
    return this.#run(async (state) =>
      page(
        sentBy(state, person).flatMap((message) =>
          message.attachments.map((attachment) => ({
            id: attachment.id,
            message_id: message.id,
            conversation_id: message.conversationId,
            original_filename: attachment.originalFilename,
            mime_type: attachment.mimeType,
            file_size: attachment.fileSize,
            file_path: attachment.filePath,
            thumbnail_path: attachment.thumbnailPath,
            image_width: attachment.imageWidth,
            image_height: attachment.imageHeight,
            created_at: iso(attachment.createdAt),
          })),
        ),
        range,
      ),
    );
  }

  #isTheirs(log: EmailLog, person: ParticipantRef, address: string | null): boolean {
    return (
      (log.userId === person.id && log.extraData.recipient_type === person.type) ||
      (address !== null && log.recipient.toLowerCase() === address.toLowerCase())
    );
  }

  async emailLogs(
    person: ParticipantRef,
    range: PersonalDataPage,
  ): Promise<readonly PersonalEmailLogRecord[]> {
    const logs = this.#emailLogs;
    if (!logs) return [];
    const address = (await this.directoryEntry(person))?.email ?? null;
    return page(
      logs.all().filter((log) => this.#isTheirs(log, person, address)),
      range,
    ).map((log) => ({
      id: log.id,
      template_code: log.templateCode,
      recipient: log.recipient,
      subject: log.subject,
      body_text: log.bodyText,
      status: log.status,
      sent_at: isoOrNull(log.sentAt),
      created_at: iso(log.createdAt),
      related_type: log.relatedType,
      related_id: log.relatedId,
    }));
  }

  blocks(person: ParticipantRef): Promise<readonly PersonalBlockRecord[]> {
    return this.#run(async (state) =>
      [...state.blocks.values()]
        .filter((block) => sameParticipant(block.blocker, person))
        .map((block) => ({
          blocked_type: block.blocked.type,
          blocked_id: block.blocked.id,
          created_at: iso(block.createdAt),
        }))
        .sort((a, b) =>
          a.blocked_type !== b.blocked_type
            ? a.blocked_type < b.blocked_type
              ? -1
              : 1
            : a.blocked_id < b.blocked_id
              ? -1
              : 1,
        ),
    );
  }

  receipts(person: ParticipantRef): Promise<readonly PersonalReceiptRecord[]> {
    return this.#run(async (state) => {
      const prefix = `${participantKey(person)}\u0000`;
      const found: PersonalReceiptRecord[] = [];
      for (const [kind, advances] of [
        ['delivered', state.deliveryAdvances],
        ['read', state.readAdvances],
      ] as const)
        for (const [key, list] of advances) {
          if (!key.startsWith(prefix)) continue;
          const conversationId = key.slice(prefix.length);
          for (const advance of list)
            found.push({
              conversation_id: conversationId,
              kind,
              up_to_seq: advance.upToSeq,
              at: iso(advance.at),
            });
        }
      const order = (r: PersonalReceiptRecord) => `${r.conversation_id}\u0000${r.kind}`;
      return found.sort((a, b) =>
        order(a) !== order(b) ? (order(a) < order(b) ? -1 : 1) : a.up_to_seq - b.up_to_seq,
      );
    });
  }

  hiddenMessages(person: ParticipantRef): Promise<readonly PersonalHiddenMessageRecord[]> {
    return this.#run(async (state) => {
      const key = participantKey(person);
      const found: PersonalHiddenMessageRecord[] = [];
      for (const [conversationId, list] of state.messages)
        for (const message of list)
          if (state.hidden.get(message.id)?.includes(key))
            found.push({ conversation_id: conversationId, message_id: message.id });
      return found.sort((a, b) =>
        a.conversation_id !== b.conversation_id
          ? a.conversation_id < b.conversation_id
            ? -1
            : 1
          : a.message_id < b.message_id
            ? -1
            : 1,
      );
    });
  }

  async erase(
    person: ParticipantRef,
    input: { readonly marker: string; readonly anonymousName: string; readonly at: Date },
  ): Promise<ErasureOutcome> {
    const { marker, anonymousName, at } = input;
    const entry = await this.directoryEntry(person);
    const name = entry !== null && entry.name !== anonymousName ? entry.name : '';
    const address = entry?.email ?? '';
    const changed = await this.#run(async (state) => {
      let messages = 0;
      let revisions = 0;
      let attachments = 0;
      const files: string[] = [];
      const theirs = new Set<string>();
      const conversations = new Set<string>();
      const key = participantKey(person);
      for (const [conversationId, members] of state.participants)
        if (members.has(key)) conversations.add(conversationId);
      for (const [conversationId, list] of state.messages) {
        state.messages.set(
          conversationId,
          list.map((message) => {
            if (message.isSystemMessage || !sameParticipant(message.sender, person)) return message;
            theirs.add(message.id);
            const history = state.revisions.get(message.id) ?? [];
            if (history.some((revision) => revision.content !== marker)) {
              revisions += history.filter((revision) => revision.content !== marker).length;
              state.revisions.set(
                message.id,
                history.map((revision) => ({ ...revision, content: marker })),
              );
            }
            const subject = message.subject ?? null;
            const rewrite = message.content !== marker || (subject !== null && subject !== marker);
            if (rewrite) messages += 1;
            attachments += message.attachments.length;
            for (const attachment of message.attachments) {
              files.push(attachment.filePath);
              if (attachment.thumbnailPath !== null) files.push(attachment.thumbnailPath);
            }
            if (!rewrite && message.attachments.length === 0) return message;
            return {
              ...message,
              content: marker,
              ...(subject === null ? {} : { subject: marker }),
              attachments: [],
            };
          }),
        );
      }
      for (const [idempotency, record] of state.idempotency)
        if (theirs.has(record.messageId)) state.idempotency.delete(idempotency);
      return { messages, revisions, attachments, files, theirs, conversations };
    });

    let emailLogs = 0;
    const logs = this.#emailLogs;
    if (logs) {
      const swap = (text: string) => {
        let out = text;
        // The address first: it may contain the name.
        if (address !== '') out = out.split(address).join(marker);
        if (name !== '') out = out.split(name).join(marker);
        return out;
      };
      for (const log of logs.all()) {
        let next: EmailLog = log;
        if (this.#isTheirs(log, person, address === '' ? null : address)) {
          next = { ...log, recipient: marker, subject: marker, bodyText: marker, bodyHtml: null };
        } else if (
          log.relatedType === 'conversation' &&
          log.relatedId !== null &&
          changed.conversations.has(log.relatedId)
        ) {
          const quoted = log.extraData.message_ids;
          const quotes =
            Array.isArray(quoted) && quoted.some((id) => typeof id === 'string' && changed.theirs.has(id));
          next = {
            ...log,
            subject: swap(log.subject),
            bodyText: quotes ? marker : swap(log.bodyText),
            bodyHtml: quotes || log.bodyHtml === null ? null : swap(log.bodyHtml),
          };
        }
        if (
          next.recipient !== log.recipient ||
          next.subject !== log.subject ||
          next.bodyText !== log.bodyText ||
          next.bodyHtml !== log.bodyHtml
        ) {
          logs.replace({ ...next, updatedAt: at });
          emailLogs += 1;
        }
      }
    }

    let directoryEntry = false;
    if (entry !== null && (entry.name !== anonymousName || entry.email !== null)) {
      const directory = this.#directory;
      if (!isMarketplace(directory)) {
        await directory.upsertPerson(
          {
            type: entry.type,
            id: entry.id,
            name: anonymousName,
            email: null,
            locale: entry.locale,
            tenantId: entry.tenant_id,
          },
          at,
        );
      } else if (entry.type === 'customer') {
        await directory.upsertCustomer(
          {
            id: entry.id,
            storeId: entry.tenant_id ?? '',
            name: anonymousName,
            email: '',
            locale: entry.locale,
          },
          at,
        );
      } else {
        await directory.upsertPlatformUser(
          {
            id: entry.id,
            role: entry.type as 'admin' | 'store',
            storeId: entry.tenant_id,
            name: anonymousName,
            email: '',
            locale: entry.locale,
          },
          at,
        );
      }
      directoryEntry = true;
    }
    return {
      messages: changed.messages,
      revisions: changed.revisions,
      attachments: changed.attachments,
      emailLogs,
      directoryEntry,
      files: changed.files,
    };
  }
}

/**
 * `PersonalDataStore` in memory, over an `InMemoryMessagingStore` (its state and event log, in
 * its units of work), a directory (through its port) and an `InMemoryEmailLogRepository`. The
 * directory and the email log are not rolled back with a failed transaction: they live outside
 * the messaging store (the Kysely store commits all of it together).
 *
 * @example
 * ```ts
 * const personal = new InMemoryPersonalDataStore({ messaging: store, directory, emailLogs });
 * const privacy = createPrivacyCore({ store: personal, attachmentStorage });
 * ```
 */
export class InMemoryPersonalDataStore implements PersonalDataStore {
  readonly #options: InMemoryPersonalDataStoreOptions;
  readonly personalData: PersonalDataRepository;
  readonly events: EventLog;

  constructor(options: InMemoryPersonalDataStoreOptions) {
    this.#options = options;
    this.personalData = new StatePersonalData(
      (work) => options.messaging.withState((state) => work(state)),
      options,
    );
    this.events = options.messaging.events;
  }

  transaction<T>(work: (tx: PersonalDataRepositories) => Promise<T>): Promise<T> {
    return this.#options.messaging.withState((state, events) =>
      work({ personalData: new StatePersonalData(async (inner) => inner(state), this.#options), events }),
    );
  }
}
