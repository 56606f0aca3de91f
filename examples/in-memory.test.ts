import { expect, it } from 'vitest';
import { main } from './in-memory.js';

// The README points at this example; running it here keeps it from rotting.
it('the in-memory example builds the core and sends a message', async () => {
  const lines: string[] = [];
  expect(await main((line) => lines.push(line))).toBe(1);
  expect(lines).toEqual(['"Your order #42": Sam has 1 unread message(s)']);
});
