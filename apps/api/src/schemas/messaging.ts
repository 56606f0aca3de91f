import { type AccessPolicy, RECEIPT_LIST_MAX_MEMBERS, SUBJECT_MAX_LENGTH } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';

const Count = Type.Integer({ minimum: 0 });

/** Largest message `seq` (PostgreSQL `integer`). */
const MAX_SEQ = 2_147_483_647;
const Seq = Type.Integer({
  minimum: 1,
  maximum: MAX_SEQ,
  description:
    "The message's position in its conversation: 1, 2, 3 … (the one order of history and read state).",
});
const ReadSeq = Type.Integer({
  minimum: 0,
  maximum: MAX_SEQ,
  description: 'Read up to this message seq (0: nothing read yet).',
});

/**
 * A participant type (marketplace: admin, store, customer). One schema object wherever a response
 * names one, so the OpenAPI document can list the running preset's types (`ParticipantType`).
 */
export const ParticipantTypeField = Type.String({ description: 'A participant type of the preset.' });

/** A conversation type of the preset (the document lists them: `ConversationType`). */
export const ConversationTypeField = Type.String({ description: 'A conversation type of the preset.' });

/** A member's role (the document lists the preset's roles: `ParticipantRole`). */
export const ParticipantRoleField = Type.String({
  description: "One of the policy's roles for the conversation type (marketplace: member).",
});

/** Another participant as the reader sees them. */
export const ParticipantWire = Type.Object(
  { type: ParticipantTypeField, id: Id, name: Type.String() },
  { description: 'A participant: type, id and display name.' },
);

/** The latest message of a conversation, as its inbox line previews it. */
export const LastMessagePreviewWire = Type.Object({
  seq: Seq,
  content: Type.String({ description: 'The first 200 characters (empty for a deleted message).' }),
  sender_type: ParticipantTypeField,
  sender_id: Id,
  created_at: DateTime,
});

export const LastMessageWire = Nullable(LastMessagePreviewWire);

const summaryProperties = {
  id: Id,
  conversation_type: ConversationTypeField,
  subject: Type.String(),
  store_id: Nullable(Id),
  is_closed: Type.Boolean(),
  closed_at: Nullable(DateTime),
  last_message_at: Nullable(DateTime),
  message_count: Count,
  unread_count: Count,
  last_read_seq: ReadSeq,
  muted: Type.Boolean(),
  email_notifications: Type.Boolean(),
  archived: Type.Boolean({ description: 'The caller archived it (it is out of their default list).' }),
  archived_at: Nullable(DateTime),
  other_participants: Type.Array(ParticipantWire),
  last_message: LastMessageWire,
  created_at: DateTime,
};

/** One inbox line, from the caller's point of view (`unread_count`, `muted` are theirs). */
export const ConversationSummaryWire = Type.Object(summaryProperties, {
  description: 'A conversation as the caller sees it.',
});

/** A member of a conversation, with their read state and role. */
export const MemberWire = Type.Object({
  type: ParticipantTypeField,
  id: Id,
  name: Type.String(),
  unread_count: Count,
  last_read_seq: ReadSeq,
  last_read_at: Nullable(DateTime),
  role: ParticipantRoleField,
  joined_at: DateTime,
  left_at: Nullable(DateTime),
});

/** The active members after a change. */
export const MemberListWire = Type.Object(
  { participants: Type.Array(MemberWire, { description: 'Active members, by participant type then id.' }) },
  { description: "A conversation's members." },
);

export const AttachmentWire = Type.Object({
  id: Id,
  filename: Type.String({ description: 'Stored name (`{uuid}.{ext}`), never derived from the upload.' }),
  original_filename: Type.String({
    description:
      "The uploader's file name, sanitized: last path part, no control or invisible characters (bidi overrides, zero-width), at most 255 bytes (metadata only).",
  }),
  mime_type: Type.String(),
  file_size: Count,
  is_image: Type.Boolean(),
  image_width: Nullable(Count),
  image_height: Nullable(Count),
  download_url: Type.String({ description: 'Path of the download route for the caller’s audience.' }),
  thumbnail_url: Nullable(Type.String({ description: 'Path of the thumbnail (images only).' })),
  created_at: DateTime,
});

export const AttachmentParams = Type.Object({ id: Id, attachment_id: Id });
export const MessageParams = Type.Object({ id: Id, message_id: Id });

/** A file download: the stored bytes, with their stored type. */
export const FileDownload = Type.Unsafe<unknown>({
  type: 'string',
  format: 'binary',
  description:
    'The file, with its stored Content-Type, Content-Length, Content-Disposition: attachment (RFC 6266 filename*) and X-Content-Type-Options: nosniff.',
});

export const PartialFileDownload = Type.Unsafe<unknown>({
  type: 'string',
  format: 'binary',
  description:
    'The bytes of the one range asked for (`Range: bytes=start-end`, `bytes=start-` or `bytes=-suffix`), with `Content-Range: bytes start-end/size`; other range forms (several ranges, other units, `If-Range`) get the whole file (200).',
});

export const PresignedRedirect = Type.Null({
  description:
    'With S3 storage and `PARLEY_S3_PRESIGNED_DOWNLOADS`: `Location` is a presigned URL reading the file from the bucket, valid that long, answering with the same Content-Type and Content-Disposition.',
});

export const PurgeWire = Type.Object({
  purged_attachments: Count,
});

/** Who read or received a message, and since when. */
export const ReceiptWire = Type.Object({
  type: ParticipantTypeField,
  id: Id,
  at: DateTime,
});

const ReceiptList = (what: string) =>
  Nullable(
    Type.Array(ReceiptWire, {
      description: `The other active members who ${what} it (the sender excluded), earliest first, with since when; null in a conversation of more than ${RECEIPT_LIST_MAX_MEMBERS} active members (counts only).`,
    }),
  );

export const MessageWire = Type.Object({
  id: Id,
  conversation_id: Id,
  seq: Seq,
  sender_type: ParticipantTypeField,
  sender_id: Id,
  sender_name: Type.String(),
  content: Type.String({ description: 'Empty once the message is deleted.' }),
  is_system_message: Type.Boolean(),
  is_deleted: Type.Boolean(),
  created_at: DateTime,
  edited_at: Nullable(DateTime),
  revision: Type.Integer({
    minimum: 1,
    description: '1 as sent, one more per edit: what `If-Match` names when editing.',
  }),
  attachments: Type.Array(AttachmentWire),
  read_by: ReceiptList('read'),
  delivered_to: ReceiptList(
    'received (a client acknowledged it, or they read it: readers count as delivered)',
  ),
  read_count: Type.Integer({ minimum: 0, description: 'How many other active members read it.' }),
  delivered_count: Type.Integer({
    minimum: 0,
    description: 'How many other active members received it (readers included).',
  }),
  moderation: Type.Optional(
    Type.Object(
      {
        state: Type.Union([Type.Literal('held'), Type.Literal('rejected')], {
          description:
            '`held`: waiting for a reviewer, delivered to nobody yet; `rejected`: a reviewer refused it, nobody else sees it.',
        }),
        reason: Type.Optional(Type.String({ description: "The moderator's or the reviewer's reason." })),
      },
      {
        description:
          'Present only on a message held or rejected by moderation, which only its sender (and reviewers) can see.',
      },
    ),
  ),
});

export const ConversationDetailWire = Type.Object(
  {
    ...summaryProperties,
    participants: Type.Array(MemberWire),
    messages: Type.Array(MessageWire, { description: 'The latest page, oldest first.' }),
    next_cursor: Nullable(Cursor),
  },
  { description: 'A conversation with its participants and latest messages.' },
);

export const ConversationListWire = Type.Object({
  conversations: Type.Array(ConversationSummaryWire),
  total: Count,
  total_unread: Count,
  next_cursor: Nullable(Cursor),
});

export const MessageListWire = Type.Object({
  messages: Type.Array(MessageWire, { description: 'One page of older history, oldest first.' }),
  next_cursor: Nullable(Cursor),
});

export const UnreadCountWire = Type.Object({ total_unread: Count });

/** `PATCH …/messages/{message_id}`: the new content. */
export const EditBody = Type.Object(
  {
    content: Type.String({
      description:
        'The new text, trimmed; at most message_max_length characters (may be empty only when files are attached).',
    }),
  },
  { additionalProperties: false },
);

export const EditHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        'The revision the editor saw, as the `ETag` of a message (`"3"`; `3` and `W/"3"` are read the same): when the message is at another revision now, 412 and nothing changes.',
    }),
  ),
});

/** One version of a message's content. */
export const MessageRevisionWire = Type.Object({
  revision: Type.Integer({ minimum: 1 }),
  content: Type.String(),
  editor: ParticipantWire,
  created_at: DateTime,
  current: Type.Boolean({ description: "True for the message's current content (the last item)." }),
});

export const MessageRevisionListWire = Type.Object(
  {
    message_id: Id,
    revisions: Type.Array(MessageRevisionWire, {
      description: 'Oldest first (1: as sent), the current one last.',
    }),
  },
  { description: "Every version of a message's content." },
);

export const RecipientWire = Type.Object({
  type: ParticipantTypeField,
  id: Id,
  name: Type.String(),
  email: Nullable(Type.String()),
  store_id: Nullable(Id),
});

export const RecipientListWire = Type.Object({ recipients: Type.Array(RecipientWire) });

export const ReadStateWire = Type.Object({
  conversation_id: Id,
  unread_count: Type.Integer({
    minimum: 0,
    description: "Others' messages after last_read_seq: 0 unless up_to_seq stopped short of the latest.",
  }),
  last_read_seq: ReadSeq,
  last_read_at: DateTime,
});

/** `PUT …/read`: the body is optional; without `up_to_seq` the conversation is read up to its latest message. */
export const ReadBody = Type.Object(
  {
    up_to_seq: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SEQ,
        description:
          'Read up to this message seq (the newest the reader has seen). Past the latest counts as the latest; below the current read state changes nothing.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PreferencesWire = Type.Object({
  email_notifications: Type.Boolean(),
  muted: Type.Boolean(),
});

export const ConversationParams = Type.Object({ id: Id });

const Limit = (fallback: number) =>
  Type.Integer({
    minimum: 1,
    maximum: 100,
    default: fallback,
    description: `Page size (default ${fallback}).`,
  });

export const HistoryQuery = Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit(50)) });

export const DetailQuery = Type.Object({
  mark_read: Type.Optional(Type.Boolean({ description: 'Mark the conversation read for the caller.' })),
});

export const SendBody = Type.Object(
  { content: Type.String({ description: 'Message text, trimmed; at most message_max_length characters.' }) },
  { additionalProperties: false },
);

/**
 * The `multipart/form-data` form of a send, for the OpenAPI document only: the handler reads the
 * parts as a stream (`multipartMessage`), so this schema never validates a request.
 */
export const SendMultipartBody = Type.Object(
  {
    content: Type.Optional(
      Type.String({ description: 'Message text, trimmed; may be empty when a file is attached.' }),
    ),
    file: Type.Optional(
      Type.Array(Type.String({ format: 'binary', contentMediaType: 'application/octet-stream' }), {
        description:
          'The files, one `file` part each (the name of a file part is not checked): at most message_attachment_max_files, each at most message_attachment_max_size_mb, of an accepted type decided from its bytes.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SendHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Client key: a retry with the same key returns the first message instead of sending again.',
    }),
  ),
});

export const PreferencesBody = Type.Object(
  {
    email_notifications: Type.Optional(Type.Boolean()),
    muted: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * Request schemas whose enumerations come from the access policy: the conversation types it
 * defines and the participant types they are started with.
 */
export function policySchemas(policy: AccessPolicy) {
  const conversationTypes = policy.conversationTypes.map((d) => d.type);
  const recipientTypes = [...new Set(policy.conversationTypes.map((d) => d.participantTypes[1]))];
  const ConversationType = Type.String({ enum: conversationTypes });
  const RecipientType = Type.String({ enum: recipientTypes });
  return {
    ListQuery: Type.Object({
      conversation_type: Type.Optional(ConversationType),
      is_closed: Type.Optional(Type.Boolean()),
      unread_only: Type.Optional(Type.Boolean()),
      archived: Type.Optional(
        Type.Boolean({
          description:
            'true: only the conversations the caller archived; absent or false: the list without them.',
        }),
      ),
      q: Type.Optional(
        Type.String({
          maxLength: 200,
          description:
            "Only conversations whose subject or another member's name holds every word (1 to 200 characters, 1 to 8 words; anywhere in a word, case-insensitively, close spellings too).",
        }),
      ),
      limit: Type.Optional(Limit(20)),
      cursor: Type.Optional(Cursor),
    }),
    CreateBody: Type.Object(
      {
        conversation_type: ConversationType,
        subject: Type.String({ description: `1 to ${SUBJECT_MAX_LENGTH} characters after trimming.` }),
        recipient_type: RecipientType,
        recipient_id: Id,
        initial_message: Type.Optional(Type.String({ description: 'Sent as the first message.' })),
      },
      { additionalProperties: false },
    ),
    RecipientsQuery: Type.Object({
      recipient_type: RecipientType,
      q: Type.Optional(
        Type.String({ maxLength: 200, description: 'Matches name or email, case-insensitive.' }),
      ),
      limit: Type.Optional(Limit(20)),
    }),
  };
}
