import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '@parley/adapters-s3';
import { type LocalS3Server, startLocalS3Server } from '@parley/adapters-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';

// The API as `pnpm start` composes it with PARLEY_STORAGE=s3, against s3rver on loopback: uploads
// and downloads go through HTTP (whole, ranged, presigned), the bytes live in the bucket, and the
// orphan sweep lists and deletes there. PostgreSQL with DATABASE_URL, else PGlite.

const KEY_PREFIX = 'parley/';
const DEMO_CUSTOMER = 'demo-customer-1';

/** A 300 KiB text file of numbered lines: every byte range reads as known text. */
const FILE = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(8, '0')}\n`).join('');

interface Started {
  readonly harness: ComposedHarness;
  readonly base: string;
}

async function startApi(s3: LocalS3Server, extra: Record<string, string> = {}): Promise<Started> {
  const harness = await composedHarness({
    env: {
      PARLEY_STORAGE: 's3',
      PARLEY_S3_BUCKET: s3.bucket,
      PARLEY_S3_REGION: s3.region,
      PARLEY_S3_ENDPOINT: s3.endpoint,
      PARLEY_S3_FORCE_PATH_STYLE: 'true',
      PARLEY_S3_ACCESS_KEY_ID: s3.accessKeyId,
      PARLEY_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PARLEY_S3_KEY_PREFIX: KEY_PREFIX,
      ...extra,
    },
  });
  const base = await harness.api.app.listen({ host: '127.0.0.1', port: 0 });
  return { harness, base };
}

async function sendWithFile(
  started: Started,
): Promise<{ conversationId: string; attachmentId: string; downloadUrl: string }> {
  const { harness, base } = started;
  const auth = { authorization: `Bearer ${harness.tokens.store}` };
  const created = await fetch(`${base}/api/v1/store/messages`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      conversation_type: 'store_customer',
      subject: 'Your invoice',
      recipient_type: 'customer',
      recipient_id: DEMO_CUSTOMER,
      initial_message: 'Here it comes',
    }),
  });
  expect(created.status).toBe(201);
  const conversationId = ((await created.json()) as { id: string }).id;
  const form = new FormData();
  form.append('content', 'The lines');
  form.append('file', new Blob([FILE], { type: 'text/plain' }), 'lines.txt');
  const sent = await fetch(`${base}/api/v1/store/messages/${conversationId}/messages`, {
    method: 'POST',
    headers: auth,
    body: form,
  });
  expect(sent.status).toBe(201);
  const message = (await sent.json()) as {
    attachments: { id: string; download_url: string; file_size: number }[];
  };
  expect(message.attachments).toHaveLength(1);
  const [attachment] = message.attachments;
  expect(attachment!.file_size).toBe(FILE.length);
  // The customer's own surface: the same attachment under /api/v1/storefront/messages.
  const downloadUrl = `${base}${attachment!.download_url.replace('/api/v1/store/', '/api/v1/storefront/')}`;
  return { conversationId, attachmentId: attachment!.id, downloadUrl };
}

async function keys(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: KEY_PREFIX }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

describe('attachments on S3 through the HTTP API', () => {
  let s3: LocalS3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3Server({ bucket: 'parley-api' });
    client = createS3Client({ ...s3, forcePathStyle: true });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  describe('downloads streamed through the API', () => {
    let started: Started;
    beforeAll(async () => {
      started = await startApi(s3);
    });
    afterAll(async () => {
      await started?.harness.close();
    });

    it('stores the upload in the bucket and serves it whole and by range, to participants only', async () => {
      const { harness } = started;
      const { attachmentId, downloadUrl } = await sendWithFile(started);
      const stored = await keys(client, s3.bucket);
      expect(
        stored.some((key) => key.startsWith(`${KEY_PREFIX}uploads/messages/`) && key.endsWith('.txt')),
      ).toBe(true);
      const customer = { authorization: `Bearer ${harness.tokens.customer}` };

      const whole = await fetch(downloadUrl, { headers: customer });
      expect(whole.status).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(whole.headers.get('content-length')).toBe(String(FILE.length));
      expect(whole.headers.get('content-disposition')).toContain('lines.txt');
      expect(await whole.text()).toBe(FILE);

      const middle = await fetch(downloadUrl, { headers: { ...customer, range: 'bytes=14-27' } });
      expect(middle.status).toBe(206);
      expect(middle.headers.get('content-range')).toBe(`bytes 14-27/${FILE.length}`);
      expect(middle.headers.get('content-length')).toBe('14');
      expect(await middle.text()).toBe('line 00000001\n');

      const open = await fetch(downloadUrl, {
        headers: { ...customer, range: `bytes=${FILE.length - 14}-` },
      });
      expect(open.status).toBe(206);
      expect(await open.text()).toBe('line 00019999\n');

      const suffix = await fetch(downloadUrl, { headers: { ...customer, range: 'bytes=-28' } });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get('content-range')).toBe(
        `bytes ${FILE.length - 28}-${FILE.length - 1}/${FILE.length}`,
      );
      expect(await suffix.text()).toBe('line 00019998\nline 00019999\n');

      const past = await fetch(downloadUrl, { headers: { ...customer, range: `bytes=${FILE.length}-` } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${FILE.length}`);
      expect(((await past.json()) as { code: string }).code).toBe('RANGE_NOT_SATISFIABLE');

      // Several ranges are answered with the whole file, as RFC 9110 allows.
      const several = await fetch(downloadUrl, { headers: { ...customer, range: 'bytes=0-1,5-6' } });
      expect(several.status).toBe(200);
      expect((await several.text()).length).toBe(FILE.length);

      const stranger = await fetch(
        downloadUrl.replace(attachmentId, '00000000-0000-7000-8000-000000000000'),
        {
          headers: customer,
        },
      );
      expect(stranger.status).toBe(404);
    });

    it('sweeps objects no attachment points to from the bucket, and keeps the rest', async () => {
      const { harness } = started;
      await sendWithFile(started);
      const orphan = `${KEY_PREFIX}uploads/messages/2020/01/orphan/left-behind.txt`;
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: orphan, Body: 'nobody points here' }));
      const before = await keys(client, s3.bucket);
      expect(before).toContain(orphan);
      // Everything written so far is older than "now + 1 minute".
      const result = await harness.api.core.sweepOrphanFiles({ olderThan: new Date(Date.now() + 60_000) });
      expect(result.removed).toEqual(['uploads/messages/2020/01/orphan/left-behind.txt']);
      expect(result.scanned).toBe(before.length);
      const after = await keys(client, s3.bucket);
      expect(after).toEqual(before.filter((key) => key !== orphan));
    });
  });

  describe('with PARLEY_S3_PRESIGNED_DOWNLOADS', () => {
    let started: Started;
    beforeAll(async () => {
      started = await startApi(s3, { PARLEY_S3_PRESIGNED_DOWNLOADS: '90s' });
    });
    afterAll(async () => {
      await started?.harness.close();
    });

    it('redirects a participant to a presigned URL that serves the file with its headers', async () => {
      const { harness } = started;
      const { downloadUrl } = await sendWithFile(started);
      const customer = { authorization: `Bearer ${harness.tokens.customer}` };
      const redirect = await fetch(downloadUrl, { headers: customer, redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('cache-control')).toBe('private, no-store');
      const location = new URL(redirect.headers.get('location')!);
      expect(location.origin).toBe(s3.endpoint);
      expect(location.searchParams.get('X-Amz-Expires')).toBe('90');
      const fromS3 = await fetch(location, { headers: { range: 'bytes=0-13' } });
      expect(fromS3.status).toBe(206);
      expect(fromS3.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(fromS3.headers.get('content-disposition')).toContain('lines.txt');
      expect(await fromS3.text()).toBe('line 00000000\n');

      // The access check stays Parley's: no participant, no URL.
      const anonymous = await fetch(downloadUrl, { redirect: 'manual' });
      expect(anonymous.status).toBe(401);
    });
  });
});
