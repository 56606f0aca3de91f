import { describe, expect, it } from 'vitest';
import { SseFrameReader } from './sse-frame-reader.js';

function reader() {
  const frames: { frame: Record<string, unknown>; id: string | undefined }[] = [];
  const comments: string[] = [];
  const invalid: string[] = [];
  const sse = new SseFrameReader({
    onFrame: (frame, id) => frames.push({ frame, id }),
    onComment: (comment) => comments.push(comment),
    onInvalid: (data) => invalid.push(data),
  });
  return { sse, frames, comments, invalid };
}

describe('SseFrameReader', () => {
  it('reads durable frames with their id and ephemeral ones without, across arbitrary chunk boundaries', () => {
    const stream =
      ': connected\n\n' +
      'id: 41\nevent: message.sent\ndata: {"id":"41","type":"message.sent","data":{"n":1}}\n\n' +
      'event: typing\ndata: {"type":"typing","state":"start"}\n\n' +
      ': keep-alive\n\n' +
      'id: 42\r\nevent: conversation.read\r\ndata: {"id":"42","type":"conversation.read"}\r\n\r\n';
    for (const size of [1, 3, 7, stream.length]) {
      const { sse, frames, comments } = reader();
      for (let i = 0; i < stream.length; i += size) sse.feed(stream.slice(i, i + size));
      expect(frames).toEqual([
        { frame: { id: '41', type: 'message.sent', data: { n: 1 } }, id: '41' },
        { frame: { type: 'typing', state: 'start' }, id: undefined },
        { frame: { id: '42', type: 'conversation.read' }, id: '42' },
      ]);
      expect(comments.map((c) => c.trim())).toEqual(['connected', 'keep-alive']);
    }
  });

  it('joins multi-line data and reports data that is not a JSON object', () => {
    const { sse, frames, invalid } = reader();
    sse.feed('data: {"type":\ndata: "pong"}\n\ndata: not json\n\ndata: [1,2]\n\n');
    expect(frames).toEqual([{ frame: { type: 'pong' }, id: undefined }]);
    expect(invalid).toEqual(['not json', '[1,2]']);
  });

  it('reset() drops a partial event so a new stream starts clean', () => {
    const { sse, frames } = reader();
    sse.feed('id: 9\ndata: {"type":"half');
    sse.reset();
    sse.feed('data: {"type":"pong"}\n\n');
    expect(frames).toEqual([{ frame: { type: 'pong' }, id: undefined }]);
  });
});
