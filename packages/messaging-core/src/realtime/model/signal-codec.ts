import { type LiveSignal, MAX_SIGNAL_BYTES } from './live-signal.js';

const encoder = new TextEncoder();

/** The size of `text` in UTF-8 bytes (what `MAX_SIGNAL_BYTES` counts). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * A signal as the JSON every bus carries. Throws `RangeError` when it is over `MAX_SIGNAL_BYTES`
 * in UTF-8 (not in UTF-16 code units: a name in Greek or an emoji counts two to four bytes a
 * character), so no bus ever tries to send what PostgreSQL's `NOTIFY` would refuse.
 */
export function encodeLiveSignal(signal: LiveSignal): string {
  const json = JSON.stringify(signal);
  const bytes = utf8Bytes(json);
  if (bytes > MAX_SIGNAL_BYTES)
    throw new RangeError(`live signal of ${bytes} bytes is over the ${MAX_SIGNAL_BYTES}-byte limit`);
  return json;
}

const KINDS = new Set(['typing', 'presence', 'presence_sync', 'instance_down']);

/**
 * The signal a bus received, or null when the text is not one (not JSON, or no known `kind` and
 * `origin`): anything can be sent on a channel, and a bus drops what it cannot read rather than
 * handing it to listeners.
 */
export function decodeLiveSignal(text: string): LiveSignal | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { kind, origin } = value as { kind?: unknown; origin?: unknown };
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof origin !== 'string') return null;
  return value as LiveSignal;
}

/**
 * Decodes the `json` a bus received and calls each listener with its own copy (a listener may
 * not change what another sees). Text that is not a signal is reported to `onError` and reaches
 * nobody; a listener that throws is reported to `onError` and does not keep the others from the
 * signal. Shared by every `LiveSignalBus` adapter.
 */
export function deliverLiveSignal(
  listeners: Iterable<(signal: LiveSignal) => void>,
  json: string,
  onError: ((error: Error) => void) | undefined,
): void {
  const targets = [...listeners];
  if (decodeLiveSignal(json) === null) {
    onError?.(new Error('dropped a message that is not a live signal'));
    return;
  }
  for (const listener of targets) {
    try {
      listener(decodeLiveSignal(json) as LiveSignal);
    } catch (error) {
      onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
