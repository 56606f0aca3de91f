import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface S3ClientOptions {
  /** The bucket's region, e.g. `eu-west-1` (any value for most S3-compatible servers). */
  readonly region: string;
  /** e.g. `https://s3.eu-central-1.wasabisys.com`, `http://127.0.0.1:9000`; unset: AWS's endpoint for the region. */
  readonly endpoint?: string;
  /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO and most self-hosted servers). */
  readonly forcePathStyle?: boolean;
  /**
   * Explicit credentials; when absent the SDK's default chain applies (environment, profile, the
   * instance or task role), the usual way to run on AWS.
   */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Time to open the connection. Default 3 000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Time a request may wait for the server between bytes. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
}

/**
 * An `S3Client` for attachment storage. Checksums are computed and validated only where S3
 * requires them (`WHEN_REQUIRED`): the SDK's default CRC32 trailers and `aws-chunked` bodies are
 * not understood by every S3-compatible server, and uploads are checked by their `ETag`s anyway.
 *
 * @example
 * ```ts
 * const client = createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, accessKeyId, secretAccessKey });
 * ```
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const explicit = options.accessKeyId !== undefined && options.secretAccessKey !== undefined;
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(explicit
      ? {
          credentials: {
            accessKeyId: options.accessKeyId!,
            secretAccessKey: options.secretAccessKey!,
            ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
          },
        }
      : {}),
    // The endpoint is Parley's configuration, never an AWS_ENDPOINT_URL* variable's.
    ignoreConfiguredEndpointUrls: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
    }),
  });
}
