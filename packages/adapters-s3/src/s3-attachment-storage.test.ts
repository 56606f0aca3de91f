import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ByteStream, isMessagingError } from '@parley/messaging-core';
import { attachmentStorageContract } from '@parley/messaging-core/testing/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './create-s3-client.js';
import { S3AttachmentStorage } from './s3-attachment-storage.js';
import { type LocalS3Server, startLocalS3Server } from './testing/local-s3-server.js';

let server: Promise<LocalS3Server> | undefined;
const clients: S3Client[] = [];

async function local(): Promise<{ s3: LocalS3Server; client: S3Client }> {
  server ??= startLocalS3Server({ bucket: 'contract' });
  const s3 = await server;
  const client = createS3Client({ ...s3, forcePathStyle: true });
  clients.push(client);
  return { s3, client };
}

afterAll(async () => {
  for (const client of clients) client.destroy();
  await (await server)?.close();
});

// Each test gets its own key prefix in one bucket, which also proves the prefix isolates.
attachmentStorageContract({
  name: 's3 (s3rver, real SDK)',
  setup: async () => {
    const { s3, client } = await local();
    return {
      storage: new S3AttachmentStorage({ client, bucket: s3.bucket, keyPrefix: `t-${randomUUID()}/` }),
    };
  },
});

async function* repeated(byte: number, chunkSize: number, count: number): ByteStream {
  for (let i = 0; i < count; i += 1) yield new Uint8Array(chunkSize).fill(byte + (i % 7));
}

async function bytesOf(stream: ByteStream): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

async function keysUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

describe('S3AttachmentStorage against s3rver', () => {
  let s3: LocalS3Server;
  let client: S3Client;
  beforeAll(async () => {
    ({ s3, client } = await local());
  });

  it('streams a file larger than a part as a multipart upload and reads it back whole and by range', async () => {
    const prefix = `m-${randomUUID()}/`;
    const storage = new S3AttachmentStorage({ client, bucket: s3.bucket, keyPrefix: prefix });
    const chunk = 256 * 1024;
    const stored = await storage.put({ path: 'uploads/big.bin', content: repeated(10, chunk, 48) }); // 12 MiB
    expect(stored.size).toBe(12 * 1024 * 1024);
    const whole = await bytesOf(await storage.openRead('uploads/big.bin'));
    expect(whole.length).toBe(12 * 1024 * 1024);
    expect(whole[0]).toBe(10);
    expect(whole[whole.length - 1]).toBe(10 + (47 % 7));
    // A range across the 5 MiB part boundary.
    const boundary = 5 * 1024 * 1024;
    const part = await bytesOf(
      await storage.openRead('uploads/big.bin', { start: boundary - 2, end: boundary + 1 }),
    );
    expect([...part]).toEqual([...whole.subarray(boundary - 2, boundary + 2)]);
    expect(await keysUnder(client, s3.bucket, prefix)).toEqual([`${prefix}uploads/big.bin`]);
  });

  it('aborts a multipart upload that runs over maxBytes and stores nothing', async () => {
    const prefix = `l-${randomUUID()}/`;
    const storage = new S3AttachmentStorage({ client, bucket: s3.bucket, keyPrefix: prefix });
    const error = await storage
      .put({ path: 'uploads/too-big.bin', content: repeated(1, 1024 * 1024, 12), maxBytes: 11 * 1024 * 1024 })
      .catch((e: unknown) => e);
    expect(isMessagingError(error) && error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storage.exists('uploads/too-big.bin')).toBe(false);
    expect(await keysUnder(client, s3.bucket, prefix)).toEqual([]);
  });

  it('presigns a read that the server answers with the given headers, with no credentials sent', async () => {
    const storage = new S3AttachmentStorage({ client, bucket: s3.bucket, keyPrefix: `p-${randomUUID()}/` });
    await storage.put({ path: 'uploads/report.pdf', content: repeated(37, 1000, 1) });
    const url = await storage.presignRead('uploads/report.pdf', {
      expiresInSeconds: 60,
      contentType: 'application/pdf',
      contentDisposition: 'attachment; filename="report.pdf"',
    });
    expect(url).toMatch(/X-Amz-Expires=60/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect((await response.arrayBuffer()).byteLength).toBe(1000);
    // s3rver does not check query signatures: what is signed is checked on the URL itself.
    const query = new URL(url).searchParams;
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(query.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
  });

  it('lists only its own prefix and skips keys that are not safe paths', async () => {
    const prefix = `s-${randomUUID()}/`;
    const storage = new S3AttachmentStorage({ client, bucket: s3.bucket, keyPrefix: prefix });
    await storage.put({ path: 'uploads/messages/a.txt', content: repeated(65, 3, 1) });
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}uploads/messages/a\\b`, Body: 'x' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `other-${prefix}uploads/messages/b.txt`, Body: 'x' }),
    );
    const listed = [];
    for await (const object of storage.list('uploads/messages/')) listed.push(object.path);
    expect(listed).toEqual(['uploads/messages/a.txt']);
  });

  it('fails with a clear error when the bucket does not exist', async () => {
    const storage = new S3AttachmentStorage({ client, bucket: 'no-such-bucket' });
    const error = await storage
      .put({ path: 'uploads/x.txt', content: repeated(1, 1, 1) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isMessagingError(error)).toBe(false);
    expect((error as Error).name).toBe('NoSuchBucket');
  });
});
