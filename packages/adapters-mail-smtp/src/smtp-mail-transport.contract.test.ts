import { mailTransportContract } from '@parley/messaging-core/testing/contracts';
import { describe } from 'vitest';
import { SmtpMailTransport, type SmtpMailTransportConfig } from './smtp-mail-transport.js';
import { startLocalSmtpServer } from './testing/local-smtp-server.js';
import { createTestCertificate } from './testing/test-certificate.js';

// The core's MailTransport contract against a real SMTP server on 127.0.0.1: plain AUTH on the
// loopback connection, STARTTLS (AUTH refused before the upgrade) and implicit TLS, the two TLS
// modes verifying the server's self-signed certificate through `ca`.
const certificate = await createTestCertificate();
const modes = ['plain', 'starttls', 'implicit'] as const;

describe.each(modes)('SmtpMailTransport (%s)', (mode) => {
  mailTransportContract({
    name: `smtp (${mode})`,
    setup: async () => {
      const credentials = { username: 'acme', password: 'acme-secret' };
      const server = await startLocalSmtpServer({
        ...credentials,
        ...(mode === 'plain' ? {} : { tls: { mode, key: certificate.key, cert: certificate.cert } }),
      });
      const rejectedRecipient = 'bounce@mail.test';
      server.rejectRecipient(rejectedRecipient);
      const config: SmtpMailTransportConfig = {
        host: server.host,
        port: server.port,
        ...credentials,
        secure: mode === 'implicit',
        requireTLS: mode === 'starttls',
        ...(mode === 'plain' ? {} : { tls: { ca: certificate.cert } }),
        connectionTimeoutMs: 2_000,
        greetingTimeoutMs: 2_000,
        socketTimeoutMs: 1_000,
      };
      const transport = new SmtpMailTransport(config);
      return {
        transport,
        rejectedRecipient,
        received: async () => server.received(),
        withBadCredentials: async () => new SmtpMailTransport({ ...config, password: 'wrong-password' }),
        throttleNext: async () => server.throttleNext({ responseCode: 451 }),
        hangNext: async () => server.hangNext(),
        teardown: async () => {
          await transport.close();
          await server.close();
        },
      };
    },
  });
});
