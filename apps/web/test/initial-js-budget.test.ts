import { gzipSync } from 'node:zlib';
import type { Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import { initialJsSize } from '../build/initial-js-budget.js';

function chunk(fileName: string, code: string, imports: string[], isEntry = false) {
  return { type: 'chunk', fileName, code, imports, isEntry } as unknown as Rollup.OutputChunk;
}

describe('initialJsSize', () => {
  it('counts the entries and what they import statically, not lazy chunks or assets', () => {
    const bundle = {
      'a.js': chunk('a.js', 'import "./b.js"; console.log("entry")', ['b.js'], true),
      'b.js': chunk('b.js', 'export const b = 1;'.repeat(20), []),
      'lazy.js': chunk('lazy.js', 'export const lazy = 2;'.repeat(500), []),
      'a.css': { type: 'asset', fileName: 'a.css', source: 'body{}' },
    } as unknown as Rollup.OutputBundle;
    const size = initialJsSize(bundle);
    expect(size.files).toEqual(['a.js', 'b.js']);
    const expected =
      gzipSync('import "./b.js"; console.log("entry")').length +
      gzipSync('export const b = 1;'.repeat(20)).length;
    expect(size.gzipBytes).toBe(expected);
  });
});
