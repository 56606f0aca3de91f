import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './client-frames.js';

describe('parseClientFrame', () => {
  it('takes the four client frames', () => {
    for (const frame of [
      { type: 'ping' },
      { type: 'ack', event_id: '42' },
      { type: 'presence', status: 'away' },
      { type: 'typing', conversation_id: 'c1', state: 'start' },
    ])
      expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it('refuses bad JSON, unknown types and bad fields with a reason, never throwing', () => {
    expect(parseClientFrame('{')).toMatchObject({ ok: false, refusal: { code: 'invalid_json' } });
    expect(parseClientFrame('[1]')).toMatchObject({ ok: false, refusal: { code: 'invalid_json' } });
    expect(parseClientFrame('{"type":"__proto__"}')).toMatchObject({
      ok: false,
      refusal: { code: 'unknown_type' },
    });
    expect(parseClientFrame({ type: 'presence', status: 'offline' })).toMatchObject({
      ok: false,
      refusal: { code: 'invalid_frame' },
    });
    const extra = parseClientFrame({ type: 'ping', x: 1 });
    expect(extra).toMatchObject({ ok: false, refusal: { code: 'invalid_frame' } });
    const ack = parseClientFrame({ type: 'ack', event_id: 'abc' });
    expect(ack.ok).toBe(false);
    if (!ack.ok) expect(ack.refusal.message).toContain('event_id');
  });
});
