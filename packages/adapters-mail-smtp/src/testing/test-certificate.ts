import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM private key. */
  readonly key: string;
  /** PEM self-signed certificate for `localhost` and 127.0.0.1; pass it as the client's `ca`. */
  readonly cert: string;
}

/**
 * A fresh self-signed certificate for a local TLS server (EC P-256, valid one day), so tests can
 * verify the server instead of turning verification off.
 *
 * @example
 * ```ts
 * const { key, cert } = await createTestCertificate();
 * const server = await startLocalSmtpServer({ username, password, tls: { mode: 'starttls', key, cert } });
 * new SmtpMailTransport({ host: server.host, port: server.port, requireTLS: true, tls: { ca: cert } });
 * ```
 */
export async function createTestCertificate(): Promise<TestCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
