import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  CLIENT_OPENAPI_PATH,
  formatOpenApiDocument,
} from '../scripts/write-openapi.js';

/** JSON pointers where `a` and `b` differ (at most `max`), so a failure says where, not 3 MB of diff. */
function differences(a: unknown, b: unknown, at = '', found: string[] = [], max = 10): string[] {
  if (found.length >= max) return found;
  if (a === b) return found;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    found.push(at || '/');
    return found;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys)
    differences(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      found,
      max,
    );
  return found;
}

describe('packages/client/openapi.json', () => {
  it('is the document the API serves today (else run `pnpm openapi:write` and regenerate the client)', async () => {
    const served = await buildOpenApiDocument();
    const committed = await readFile(CLIENT_OPENAPI_PATH, 'utf8');
    expect(differences(JSON.parse(committed), served)).toEqual([]);
    // Same content, and written the way the script writes it.
    expect(committed === formatOpenApiDocument(served)).toBe(true);
  });

  it('the comparison is not a rubber stamp: a changed copy differs where it changed', async () => {
    const served = (await buildOpenApiDocument()) as { info: { title: string } };
    const changed = structuredClone(served);
    changed.info.title = 'Something else';
    expect(differences(changed, served)).toEqual(['/info/title']);
  });
});
