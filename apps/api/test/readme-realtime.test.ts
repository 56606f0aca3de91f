import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './support/client.js';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';

// The README's real-time example, run as a reader would (from apps/api, with node), against the
// API as `pnpm start` composes it: it must connect and print the frame of a message sent meanwhile.
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function readmeScript(): Promise<string> {
  const readme = await readFile(join(APP_DIR, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Real-time'));
  const script = /node --input-type=module -e "\n([\s\S]*?)\n"\n```/.exec(section)?.[1];
  if (!script) throw new Error('README has no node -e example under "## Real-time"');
  return script;
}

describe("the README's real-time example", () => {
  let harness: ComposedHarness;
  let base: string;
  beforeAll(async () => {
    harness = await composedHarness();
    base = await harness.api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('connects and prints the frames of the conversation the store starts (its first message included)', async () => {
    const script = (await readmeScript()).replace('ws://127.0.0.1:3000', base.replace(/^http/, 'ws'));
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: APP_DIR,
      env: { PATH: process.env.PATH, TOKEN: harness.tokens.store },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const seen = (text: string, timeoutMs = 15_000) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`"${text}" not printed; got:\n${output}`)), timeoutMs);
        const check = () => {
          if (!output.includes(text)) return;
          clearTimeout(timer);
          ok();
        };
        child.stdout.on('data', (chunk) => {
          output += String(chunk);
          check();
        });
        child.stderr.on('data', (chunk) => {
          output += String(chunk);
        });
        check();
      });
    try {
      await seen('connected');
      // The README's own curl: the store starts a conversation with a first message. Its other
      // connections (this one) follow what it does.
      const created = await client(harness.api)('POST', '/api/v1/store/messages', {
        token: harness.tokens.store,
        body: {
          conversation_type: 'store_customer',
          subject: 'Your order',
          recipient_type: 'customer',
          recipient_id: 'demo-customer-1',
          initial_message: 'Printed by the README example',
        },
      });
      expect(created.status, created.text).toBe(201);
      const conversationId = created.body.id as string;
      await seen('"type":"message.sent"');
      const line = output.split('\n').find((l) => l.includes('"type":"message.sent"')) ?? '';
      const frame = JSON.parse(line);
      expect(frame).toMatchObject({ type: 'message.sent', conversation_id: conversationId });
      expect(frame.data.message.content).toBe('Printed by the README example');
      expect(typeof frame.id).toBe('string');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
