import { describe, expect, it } from 'vitest';
import { findTextInputFault, MAX_INPUT_DEPTH, replaceUnstorableText } from './text-input-guard.js';

describe('findTextInputFault', () => {
  it('names the field of a NUL in a value, a key, an array item, or the input itself', () => {
    expect(findTextInputFault({ subject: 'a\u0000b' }, 'body')).toEqual({
      field: 'subject',
      detail: 'subject must not contain NUL characters (U+0000)',
    });
    expect(findTextInputFault({ metadata: { 'k\u0000': 1 } }, 'body')).toEqual({
      field: 'metadata',
      detail: 'the keys of metadata must not contain NUL characters (U+0000)',
    });
    expect(findTextInputFault({ list: ['ok', { name: '\u0000' }] }, 'body')?.field).toBe('list.1.name');
    expect(findTextInputFault('\u0000', 'body')?.field).toBe('body');
    expect(findTextInputFault({ '\u0000': 'x' }, 'querystring')?.field).toBe('querystring');
  });

  it('reports the first fault in document order', () => {
    expect(findTextInputFault({ a: 'fine', b: 'x\u0000', c: '\u0000' }, 'body')?.field).toBe('b');
  });

  it('refuses unpaired surrogates, accepts pairs and every other character', () => {
    expect(findTextInputFault({ a: 'x\ud800' }, 'body')?.detail).toBe(
      'a must be valid Unicode text (it has an unpaired surrogate)',
    );
    expect(findTextInputFault({ a: '\udc00x' }, 'body')?.field).toBe('a');
    expect(findTextInputFault({ a: '😀 \u0001 \uFFFF é' }, 'body')).toBeUndefined();
    expect(findTextInputFault({ n: 1, b: true, z: null, u: undefined }, 'body')).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_INPUT_DEPTH} levels without recursing`, () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    const fault = findTextInputFault({ value: deep }, 'body');
    expect(fault?.field).toBe(`value${'.0'.repeat(MAX_INPUT_DEPTH - 1)}`);
    expect(fault?.detail).toMatch(/nested too deeply/);
    let fine: unknown = 'leaf';
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i += 1) fine = [fine];
    expect(findTextInputFault(fine, 'body')).toBeUndefined();
  });

  it('does not look into raw bodies (signed webhooks keep their bytes)', () => {
    expect(findTextInputFault(Buffer.from('a\u0000b'), 'body')).toBeUndefined();
  });
});

describe('replaceUnstorableText', () => {
  it('replaces NUL and unpaired surrogates by U+FFFD, keeping pairs', () => {
    expect(replaceUnstorableText('a\u0000b\ud800c\udc00😀')).toBe('a\uFFFDb\uFFFDc\uFFFD😀');
  });
});
