/// <reference path="./s3rver.d.ts" />
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A running local S3-compatible server with one bucket, and what a client needs to reach it. */
export interface LocalS3Server {
  /** `http://127.0.0.1:<port>`: use path-style addressing. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts `s3rver` in this process, on loopback and an ephemeral port (or `port`), with `bucket`
 * created and its objects in a fresh temp directory. It checks SigV4 signatures (header and query
 * presigned) with its fixed credentials, which are returned.
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3Server({ bucket: 'attachments' });
 * const client = createS3Client({ ...s3, forcePathStyle: true });
 * await s3.close();
 * ```
 */
export async function startLocalS3Server(
  options: { bucket?: string; port?: number } = {},
): Promise<LocalS3Server> {
  const bucket = options.bucket ?? 'parley-test';
  const directory = await mkdtemp(join(tmpdir(), 'parley-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
