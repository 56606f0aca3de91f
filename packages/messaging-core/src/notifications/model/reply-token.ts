import { type ParticipantRef, participantKey } from '../../kernel/model/participant-ref.js';
import type { ReplyTokenSigner } from '../ports/reply-token-signer.js';

/**
 * The local part's prefix: `reply+<token>@<domain>`. The `+` is sub-addressing, which most mail
 * systems route to the `reply` mailbox whatever follows it.
 */
export const REPLY_ADDRESS_PREFIX = 'reply+';
/** RFC 5321: a local part is at most 64 octets. */
export const MAX_LOCAL_PART_LENGTH = 64;
/** Bytes of the signature kept in the token: 80 bits, so a forgery is 1 in 2^80 per guess. */
export const REPLY_TOKEN_TAG_BYTES = 10;

const KIND_UUID = 1;
const KIND_TEXT = 2;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// RFC 4648 base32 in lower case: some MTAs lower-case local parts, and base32 survives that.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32 without padding (RFC 4648 alphabet). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The inverse of `base32Encode`, case-insensitive; null for any character outside the alphabet
 * or a non-canonical ending (non-zero padding bits, an impossible length).
 */
export function base32Decode(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.toLowerCase()) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Canonical only: leftover bits must be zero padding, so one token has one spelling.
  if (bits >= 5 || buffer !== 0) return null;
  return Uint8Array.from(out);
}

/** What a reply token says once its signature checked. */
export interface ReplyTokenClaims {
  readonly conversationId: string;
  /** The last instant the token is accepted (the end of its expiry day, UTC). */
  readonly expiresAt: Date;
}

function conversationBytes(conversationId: string): Uint8Array {
  if (UUID.test(conversationId)) {
    const hex = conversationId.replaceAll('-', '');
    const bytes = new Uint8Array(17);
    bytes[0] = KIND_UUID;
    for (let i = 0; i < 16; i++) bytes[i + 1] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  }
  const text = new TextEncoder().encode(conversationId);
  const bytes = new Uint8Array(text.length + 1);
  bytes[0] = KIND_TEXT;
  bytes.set(text, 1);
  return bytes;
}

function conversationIdOf(bytes: Uint8Array): string | null {
  if (bytes[0] === KIND_UUID && bytes.length === 17) {
    const hex = Array.from(bytes.subarray(1), (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  if (bytes[0] === KIND_TEXT && bytes.length > 1) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(1));
    } catch {
      return null;
    }
  }
  return null;
}

/** The signed bytes: the token's body, then the participant it was issued to (never in the token). */
function signedBytes(body: Uint8Array, participant: ParticipantRef): Uint8Array {
  const who = new TextEncoder().encode(`\u0000${participantKey(participant)}`);
  const bytes = new Uint8Array(body.length + who.length);
  bytes.set(body, 0);
  bytes.set(who, body.length);
  return bytes;
}

function tagOf(signer: ReplyTokenSigner, body: Uint8Array, participant: ParticipantRef): Uint8Array {
  const tag = signer.sign(signedBytes(body, participant));
  if (tag.length < REPLY_TOKEN_TAG_BYTES) throw new Error('ReplyTokenSigner: the signature is too short');
  return tag.subarray(0, REPLY_TOKEN_TAG_BYTES);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * A reply token: lower-case base32 of `[kind 1 byte][expiry day 2 bytes][conversation id][tag 10 bytes]`,
 * where the conversation id is 16 bytes for a UUID (kind 1) or its UTF-8 (kind 2), the expiry is a
 * day number since 1970-01-01 UTC, and the tag is the first 80 bits of the signer's MAC over the
 * body **and the participant** it is issued to. The participant is not written in the token (it
 * would not fit in 64 characters); `openReplyToken` finds them among the conversation's members.
 * A UUID conversation makes a 47-character token (`reply+` + 47 = 53 ≤ 64). Null when the token
 * would make the local part longer than 64 characters (a very long non-UUID id).
 *
 * @example
 * ```ts
 * issueReplyToken(signer, { type: 'customer', id: 'c1' }, '0190c4d2-…', new Date('2027-03-01'));
 * // "aeaj…" (47 characters)
 * ```
 */
export function issueReplyToken(
  signer: ReplyTokenSigner,
  participant: ParticipantRef,
  conversationId: string,
  expiresAt: Date,
): string | null {
  if (conversationId === '') return null;
  const conversation = conversationBytes(conversationId);
  const day = Math.min(0xffff, Math.max(0, Math.floor(expiresAt.getTime() / DAY_MS)));
  const body = new Uint8Array(conversation.length + 2);
  body[0] = conversation[0] ?? 0;
  body[1] = day >>> 8;
  body[2] = day & 255;
  body.set(conversation.subarray(1), 3);
  const token = new Uint8Array(body.length + REPLY_TOKEN_TAG_BYTES);
  token.set(body, 0);
  token.set(tagOf(signer, body, participant), body.length);
  const text = base32Encode(token);
  return REPLY_ADDRESS_PREFIX.length + text.length > MAX_LOCAL_PART_LENGTH ? null : text;
}

/** A token's parts before its signature is checked: what `openReplyToken` reads. */
export interface DecodedReplyToken extends ReplyTokenClaims {
  readonly body: Uint8Array;
  readonly tag: Uint8Array;
}

/** Splits a token into its parts; null when it is not one (bad characters, too short, bad kind). */
export function decodeReplyToken(token: string): DecodedReplyToken | null {
  const bytes = base32Decode(token);
  if (bytes === null || bytes.length < 4 + REPLY_TOKEN_TAG_BYTES) return null;
  const body = bytes.subarray(0, bytes.length - REPLY_TOKEN_TAG_BYTES);
  const tag = bytes.subarray(bytes.length - REPLY_TOKEN_TAG_BYTES);
  const day = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
  const conversation = new Uint8Array(body.length - 2);
  conversation[0] = body[0] ?? 0;
  conversation.set(body.subarray(3), 1);
  const conversationId = conversationIdOf(conversation);
  if (conversationId === null) return null;
  return { conversationId, expiresAt: new Date((day + 1) * DAY_MS - 1), body, tag };
}

/**
 * Which of `candidates` the token was issued to (the first whose MAC matches, compared in
 * constant time), or null: a forged or altered token, or one issued to nobody in the list.
 * Expiry is the caller's to check (`decoded.expiresAt`): an expired token still names its sender,
 * who is told so.
 */
export function matchReplyToken(
  signer: ReplyTokenSigner,
  decoded: DecodedReplyToken,
  candidates: readonly ParticipantRef[],
): ParticipantRef | null {
  for (const candidate of candidates) {
    if (constantTimeEqual(tagOf(signer, decoded.body, candidate), decoded.tag)) return candidate;
  }
  return null;
}

/**
 * The token in a reply address (`reply+<token>@<domain>`, domain compared case-insensitively),
 * or null when the address is not one of ours.
 */
export function replyTokenFromAddress(address: string, domain: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  const local = address.slice(0, at).trim();
  const host = address
    .slice(at + 1)
    .trim()
    .toLowerCase();
  if (host !== domain.trim().toLowerCase()) return null;
  if (!local.toLowerCase().startsWith(REPLY_ADDRESS_PREFIX)) return null;
  const token = local.slice(REPLY_ADDRESS_PREFIX.length);
  return /^[a-z2-7]+$/i.test(token) ? token.toLowerCase() : null;
}
