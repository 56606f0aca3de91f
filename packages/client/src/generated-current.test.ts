import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, generateTypes } from '../scripts/generate-types.js';

describe('src/generated/openapi.ts', () => {
  it('is what openapi-typescript generates from openapi.json (else run `pnpm --filter @parley/client generate`)', async () => {
    const generated = await generateTypes();
    const committed = await readFile(GENERATED_PATH, 'utf8');
    expect(generated.length).toBeGreaterThan(10_000);
    expect(generated).toContain("'/api/v1/conversations/{id}/messages': {");
    // Equal as a whole; a diff of 40,000 lines would help nobody, so report the first line that differs.
    const a = committed.split('\n');
    const b = generated.split('\n');
    const first = a.findIndex((line, i) => line !== b[i]);
    expect(
      first === -1 && a.length === b.length
        ? null
        : { line: first + 1, committed: a[first], generated: b[first] },
    ).toBeNull();
  });
});
