import { createParser, type EventSourceParser } from 'eventsource-parser';

/**
 * Reads a `text/event-stream` (chunks of text, split anywhere) into the protocol's frames:
 * each event's `data` parsed as JSON, with its `id:` line when it has one; comment lines
 * (heartbeats) are reported separately. The parsing of the stream format itself is
 * eventsource-parser's.
 */
export class SseFrameReader {
  readonly #parser: EventSourceParser;

  constructor(handlers: {
    /** A frame, and the event id the stream gave it (durable frames only). */
    readonly onFrame: (frame: Record<string, unknown>, id: string | undefined) => void;
    /** A comment line (`: keep-alive`). */
    readonly onComment?: (comment: string) => void;
    /** An event whose data is not a JSON object. */
    readonly onInvalid?: (data: string) => void;
  }) {
    this.#parser = createParser({
      onEvent: (event) => {
        let frame: unknown;
        try {
          frame = JSON.parse(event.data);
        } catch {
          handlers.onInvalid?.(event.data);
          return;
        }
        if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
          handlers.onInvalid?.(event.data);
          return;
        }
        handlers.onFrame(frame as Record<string, unknown>, event.id);
      },
      onComment: (comment) => handlers.onComment?.(comment),
    });
  }

  /** Feeds the next chunk of text. */
  feed(chunk: string): void {
    this.#parser.feed(chunk);
  }

  /** Forgets a partial event (the stream ended; the next one starts clean). */
  reset(): void {
    this.#parser.reset({ consume: false });
  }
}
