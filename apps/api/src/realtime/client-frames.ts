import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

/** `{ "type": "typing", "conversation_id", "state" }`: relayed to the conversation's other members. */
export const TypingFrame = Type.Object(
  {
    type: Type.Literal('typing'),
    conversation_id: Type.String({ minLength: 1, maxLength: 255 }),
    state: Type.Union([Type.Literal('start'), Type.Literal('stop')]),
  },
  { additionalProperties: false },
);

/** `{ "type": "presence", "status" }`: the connection's own status (`offline` is said by closing). */
export const PresenceFrame = Type.Object(
  {
    type: Type.Literal('presence'),
    status: Type.Union([Type.Literal('online'), Type.Literal('away')]),
  },
  { additionalProperties: false },
);

/** `{ "type": "ack", "event_id" }`: the `message.sent` frame with this id reached the client. */
export const AckFrame = Type.Object(
  {
    type: Type.Literal('ack'),
    event_id: Type.String({ pattern: '^[0-9]{1,20}$' }),
  },
  { additionalProperties: false },
);

/** `{ "type": "ping" }` → `{ "type": "pong" }`. */
export const PingFrame = Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false });

/** Every frame a client may send, over a WebSocket or as the body of `POST /api/v1/realtime/frames`. */
export const ClientFrame = Type.Union([TypingFrame, PresenceFrame, AckFrame, PingFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

const FRAMES = { typing: TypingFrame, presence: PresenceFrame, ack: AckFrame, ping: PingFrame } as const;
const checkers = {
  typing: Compile(TypingFrame),
  presence: Compile(PresenceFrame),
  ack: Compile(AckFrame),
  ping: Compile(PingFrame),
};

/** A client frame that could not be taken: the `error` frame's `code` and `message`. */
export interface FrameRefusal {
  readonly code: 'invalid_json' | 'invalid_frame' | 'unknown_type';
  readonly message: string;
}

/**
 * Reads a client frame: already-parsed JSON (an HTTP body) or the text of a WebSocket message.
 * Never throws: a bad frame is a refusal naming what is wrong, for the `error` frame.
 *
 * @example
 * ```ts
 * parseClientFrame('{"type":"ping"}'); // { ok: true, frame: { type: 'ping' } }
 * parseClientFrame('{"type":"typing"}'); // { ok: false, refusal: { code: 'invalid_frame', … } }
 * ```
 */
export function parseClientFrame(
  input: string | unknown,
): { ok: true; frame: ClientFrame } | { ok: false; refusal: FrameRefusal } {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false, refusal: { code: 'invalid_json', message: 'a frame must be one JSON object' } };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, refusal: { code: 'invalid_json', message: 'a frame must be one JSON object' } };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(FRAMES, type))
    return {
      ok: false,
      refusal: {
        code: 'unknown_type',
        message: `type must be one of ${Object.keys(FRAMES).join(', ')}`,
      },
    };
  const checker = checkers[type as keyof typeof FRAMES];
  if (checker.Check(value)) return { ok: true, frame: value as ClientFrame };
  const [first] = checker.Errors(value);
  const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'frame';
  return {
    ok: false,
    refusal: { code: 'invalid_frame', message: `${type} frame: ${where} ${first?.message ?? 'is invalid'}` },
  };
}
