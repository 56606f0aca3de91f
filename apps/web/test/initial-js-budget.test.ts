import { gzipSync } from 'node:zlib';
import type { Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import { initialJsSize } from '../build/initial-js-budget.js';

function chunk(fileName: string, code: string, imports: string[], isEntry = false) {
  return { type: 'chunk', fileName, code, imports, isEntry } as unknown as Rollup.OutputChunk;
}

describe('initialJsSize', () => {
  it('counts each entry and what it imports statically, not lazy chunks or assets', () => {
    const bundle = {
      'a.js': chunk('a.js', 'import "./b.js"; console.log("entry")', ['b.js'], true),
      'e.js': chunk('e.js', 'import "./b.js";', ['b.js'], true),
      'b.js': chunk('b.js', 'export const b = 1;'.repeat(20), []),
      'lazy.js': chunk('lazy.js', 'export const lazy = 2;'.repeat(500), []),
      'a.css': { type: 'asset', fileName: 'a.css', source: 'body{}' },
    } as unknown as Rollup.OutputBundle;
    const [first, second] = initialJsSize(bundle);
    const b = gzipSync('export const b = 1;'.repeat(20)).length;
    expect(first).toEqual({
      entry: 'a.js',
      files: ['a.js', 'b.js'],
      gzipBytes: gzipSync('import "./b.js"; console.log("entry")').length + b,
    });
    expect(second).toEqual({
      entry: 'e.js',
      files: ['b.js', 'e.js'],
      gzipBytes: gzipSync('import "./b.js";').length + b,
    });
  });
});
