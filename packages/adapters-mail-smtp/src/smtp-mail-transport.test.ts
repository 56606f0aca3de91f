import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { isMessagingError, type MessagingError, type OutboundEmail } from '@parley/messaging-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMailTransport, type SmtpMailTransportConfig } from './smtp-mail-transport.js';
import { type LocalSmtpServer, startLocalSmtpServer } from './testing/local-smtp-server.js';
import { createTestCertificate } from './testing/test-certificate.js';

const ACME = { username: 'acme', password: 'acme-pass-1' };
const GLOBEX = { username: 'globex', password: 'globex-pass-2' };

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-0001',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  to: [{ address: 'ana@mail.test', name: 'Ana' }],
  subject: 'New message',
  text: 'Hello Ana',
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<MessagingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return error;
}

// Everything opened in a test is closed after it, transports before servers.
const transports: SmtpMailTransport[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(
  options: Partial<Parameters<typeof startLocalSmtpServer>[0]> = {},
): Promise<LocalSmtpServer> {
  const started = await startLocalSmtpServer({ ...ACME, ...options });
  servers.push(started);
  return started;
}

function transport(
  at: { host: string; port: number },
  config: Partial<SmtpMailTransportConfig> = {},
): SmtpMailTransport {
  const created = new SmtpMailTransport({
    host: at.host,
    port: at.port,
    ...ACME,
    connectionTimeoutMs: 2_000,
    greetingTimeoutMs: 2_000,
    socketTimeoutMs: 1_000,
    ...config,
  });
  transports.push(created);
  return created;
}

describe('SmtpMailTransport', () => {
  describe('message', () => {
    it('carries the email id, tags and metadata as headers and a deterministic Message-ID', async () => {
      const smtp = await server();
      const result = await transport(smtp).send(
        email({
          headers: { 'List-Unsubscribe': '<https://acme.test/u/1>' },
          tags: ['new_message', 'digest'],
          metadata: { store_id: 'acme', conversation_id: 'c-42' },
        }),
      );
      expect(result).toEqual({ provider: 'smtp', providerMessageId: '<log-0001@acme.test>' });
      const [got] = smtp.received();
      expect(got?.headers).toMatchObject({
        'message-id': '<log-0001@acme.test>',
        'x-parley-email-id': 'log-0001',
        'x-parley-tags': 'new_message, digest',
        'x-parley-meta-store_id': 'acme',
        'x-parley-meta-conversation_id': 'c-42',
        'list-unsubscribe': '<https://acme.test/u/1>',
      });
      expect(got?.parleyId).toBe('log-0001');
      expect(got?.envelopeFrom).toBe('shop@acme.test');
      expect(got?.username).toBe('acme');
      expect(got?.to).toEqual(['ana@mail.test']);
    });

    it('keeps the Message-ID valid for any id and honours messageIdDomain', async () => {
      const smtp = await server();
      const result = await transport(smtp, { messageIdDomain: 'mail.parley.test' }).send(
        email({ id: 'log 7/ünï' }),
      );
      const expected = `<b64.${Buffer.from('log 7/ünï').toString('base64url')}@mail.parley.test>`;
      expect(result.providerMessageId).toBe(expected);
      expect(smtp.received()[0]?.headers['message-id']).toBe(expected);
      expect(smtp.received()[0]?.parleyId).toBe('log 7/ünï');
    });

    it('refuses custom headers the transport sets itself, sending nothing', async () => {
      const smtp = await server();
      const mail = transport(smtp);
      for (const headers of [
        { Bcc: 'evil@attacker.test' },
        { 'x-parley-email-id': 'forged' },
        { 'X-Parley-Meta-x': '1' },
      ]) {
        const error = await failure(mail.send(email({ headers })));
        expect([error.code, error.field]).toEqual(['MAIL_PERMANENT', 'headers']);
      }
      const error = await failure(mail.send(email({ metadata: { 'store id': 'acme' } })));
      expect([error.code, error.field]).toEqual(['MAIL_PERMANENT', 'metadata']);
      expect(smtp.received()).toEqual([]);
      expect(smtp.connections()).toBe(0);
    });

    it('cannot be made to add a header or a recipient', async () => {
      const smtp = await server();
      await transport(smtp).send(
        email({
          subject: 'Hi\r\nBcc: evil@attacker.test',
          from: { address: 'shop@acme.test', name: 'Acme\r\nX-Evil: 1' },
          to: [{ address: 'ana@mail.test', name: 'Ana\nCc: evil2@attacker.test' }],
          headers: { 'X-Custom': 'a\r\nBcc: evil3@attacker.test\r\n\r\nbody' },
        }),
      );
      const [got] = smtp.received();
      expect(got?.to).toEqual(['ana@mail.test']);
      expect(got?.subject).toBe('Hi Bcc: evil@attacker.test');
      expect(got?.fromName).toBe('Acme X-Evil: 1');
      expect(got?.headers['x-custom']).toBe('a Bcc: evil3@attacker.test body');
      expect(got?.headers['x-evil']).toBeUndefined();
      expect(got?.headers.bcc).toBeUndefined();
      expect(got?.headers.cc).toBeUndefined();
      const headerLines = got?.raw.split('\r\n\r\n')[0]?.split('\r\n') ?? [];
      expect(headerLines.filter((line) => /^(bcc|cc|x-evil):/i.test(line))).toEqual([]);
      expect(got?.text.trim()).toBe('Hello Ana');
    });

    it('succeeds when the server accepts some recipients and refuses others', async () => {
      const smtp = await server();
      smtp.rejectRecipient('bounce@mail.test');
      await transport(smtp).send(
        email({ to: [{ address: 'bounce@mail.test' }, { address: 'ana@mail.test' }] }),
      );
      expect(smtp.received().map((e) => e.to)).toEqual([['ana@mail.test']]);
    });
  });

  describe('connections', () => {
    it('reuses one pooled, authenticated connection for sequential sends', async () => {
      const smtp = await server();
      const mail = transport(smtp);
      for (let i = 1; i <= 5; i += 1) await mail.send(email({ id: `log-${i}` }));
      expect(smtp.received().map((e) => e.parleyId)).toEqual(['log-1', 'log-2', 'log-3', 'log-4', 'log-5']);
      expect(smtp.connections()).toBe(1);
      expect(smtp.authAttempts()).toEqual([{ username: 'acme', accepted: true, secure: false }]);
    });

    it('opens at most poolSize connections for parallel sends', async () => {
      const smtp = await server();
      const mail = transport(smtp, { poolSize: 2 });
      await Promise.all(Array.from({ length: 8 }, (_, i) => mail.send(email({ id: `log-${i}` }))));
      expect(smtp.received()).toHaveLength(8);
      expect(smtp.connections()).toBe(2);
    });

    it('keeps each store on its own credentials and its own pool', async () => {
      const smtp = await server({ additionalUsers: [GLOBEX] });
      const acme = transport(smtp, ACME);
      const globex = transport(smtp, GLOBEX);
      const broken = transport(smtp, { ...GLOBEX, password: 'stale' });
      await acme.send(email({ id: 'a-1' }));
      await globex.send(email({ id: 'g-1', from: { address: 'shop@globex.test' } }));
      expect((await failure(broken.send(email({ id: 'x-1' })))).code).toBe('MAIL_PERMANENT');
      await acme.send(email({ id: 'a-2' }));
      await globex.send(email({ id: 'g-2', from: { address: 'shop@globex.test' } }));
      expect(smtp.received().map((e) => [e.parleyId, e.username])).toEqual([
        ['a-1', 'acme'],
        ['g-1', 'globex'],
        ['a-2', 'acme'],
        ['g-2', 'globex'],
      ]);
      expect(smtp.authAttempts()).toEqual([
        { username: 'acme', accepted: true, secure: false },
        { username: 'globex', accepted: true, secure: false },
        { username: 'globex', accepted: false, secure: false },
      ]);
    });

    it('fails later sends as retryable once closed', async () => {
      const smtp = await server();
      const mail = transport(smtp);
      await mail.send(email());
      await mail.close();
      const error = await failure(mail.send(email({ id: 'log-0002' })));
      expect(error.code).toBe('MAIL_RETRYABLE');
      expect(error.message).toBe(`SMTP transport for 127.0.0.1:${smtp.port} is closed`);
      expect(smtp.received()).toHaveLength(1);
    });

    it('verifies settings by logging in', async () => {
      const smtp = await server();
      await expect(transport(smtp).verify()).resolves.toBeUndefined();
      const error = await failure(transport(smtp, { password: 'wrong' }).verify());
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(smtp.authAttempts().map((a) => a.accepted)).toEqual([true, false]);
    });
  });

  describe('failures', () => {
    it('reports a refused login as permanent without repeating the password', async () => {
      const smtp = await server();
      const error = await failure(transport(smtp, { password: 'not-the-password' }).send(email()));
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(error.message).toBe(
        `SMTP server 127.0.0.1:${smtp.port} refused the login: 535 Authentication credentials invalid (EAUTH)`,
      );
      expect(error.details).toEqual({ smtpCode: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
      const everything = JSON.stringify({
        message: error.message,
        details: error.details,
        cause: error.cause,
      });
      expect(everything).not.toContain('not-the-password');
      expect((error.cause as Error).message).not.toContain('not-the-password');
    });

    it.each([
      [421, 'mail'],
      [450, 'rcpt'],
      [452, 'rcpt'],
      [451, 'data'],
    ] as const)(
      'reports %i at %s as retryable, and the next send goes through',
      async (responseCode, stage) => {
        const smtp = await server();
        const mail = transport(smtp);
        smtp.throttleNext({ responseCode, stage });
        expect((await failure(mail.send(email()))).code).toBe('MAIL_RETRYABLE');
        await mail.send(email({ id: 'log-0002' }));
        expect(smtp.received().map((e) => e.parleyId)).toEqual(['log-0002']);
      },
    );

    it('reports 550 after DATA as permanent', async () => {
      const smtp = await server();
      smtp.throttleNext({ responseCode: 550, stage: 'data' });
      const error = await failure(transport(smtp).send(email()));
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(error.details).toMatchObject({ responseCode: 550, command: 'DATA' });
    });

    it('reports a rejected recipient as permanent, naming the field', async () => {
      const smtp = await server();
      smtp.rejectRecipient('bounce@mail.test');
      const error = await failure(transport(smtp).send(email({ to: [{ address: 'bounce@mail.test' }] })));
      expect([error.code, error.field]).toEqual(['MAIL_PERMANENT', 'to']);
      expect(error.message).toContain('550 Mailbox bounce@mail.test unavailable');
    });

    it('reports a server that stops answering after DATA as retryable', async () => {
      const smtp = await server();
      smtp.hangNext('data');
      const started = Date.now();
      expect((await failure(transport(smtp).send(email()))).code).toBe('MAIL_RETRYABLE');
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('reports a refused connection as retryable', async () => {
      const smtp = await startLocalSmtpServer(ACME);
      await smtp.close(); // nothing listens on its port any more
      const error = await failure(transport(smtp).send(email()));
      expect(error.code).toBe('MAIL_RETRYABLE');
      expect(error.details).toMatchObject({ smtpCode: 'ESOCKET', originalCode: 'ECONNREFUSED' });
    });

    it('reports a server that never greets as retryable, within the greeting timeout', async () => {
      const silent: Server = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      servers.push({
        close: () => new Promise<void>((resolve) => silent.close(() => resolve())),
      });
      const started = Date.now();
      const error = await failure(
        transport(
          { host: '127.0.0.1', port: (silent.address() as AddressInfo).port },
          { greetingTimeoutMs: 300 },
        ).send(email()),
      );
      expect(error.code).toBe('MAIL_RETRYABLE');
      expect(error.details).toMatchObject({ smtpCode: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('reads the same whether nothing listens, nothing greets or something else answers', async () => {
      const closed = await startLocalSmtpServer(ACME);
      await closed.close();
      const silent: Server = createServer(() => {});
      const chatty: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      for (const s of [silent, chatty]) {
        await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
        servers.push({ close: () => new Promise<void>((resolve) => s.close(() => resolve())) });
      }
      const at = (port: number) => ({ host: 'smtp.acme.test', port });
      const messages: string[] = [];
      for (const port of [
        closed.port,
        (silent.address() as AddressInfo).port,
        (chatty.address() as AddressInfo).port,
      ]) {
        const error = await failure(
          transport(at(port), { address: '127.0.0.1', greetingTimeoutMs: 300 }).verify(),
        );
        expect(error.code).toBe('MAIL_RETRYABLE');
        messages.push(error.message.replace(`:${port}`, ':<port>'));
      }
      expect(messages).toEqual(Array(3).fill('could not connect to the SMTP server smtp.acme.test:<port>'));
    });

    it('connects to the given address, never resolving the host name', async () => {
      const smtp = await server();
      // smtp.acme.test resolves nowhere: only the address can have been used.
      await transport({ host: 'smtp.acme.test', port: smtp.port }, { address: '127.0.0.1' }).send(email());
      expect(smtp.received()).toHaveLength(1);
      expect(
        () => new SmtpMailTransport({ host: 'smtp.acme.test', port: 25, address: 'localhost' }),
      ).toThrowError(expect.objectContaining({ code: 'VALIDATION', field: 'address' }));
    });

    it('refuses invalid settings', () => {
      expect(() => new SmtpMailTransport({ host: 'smtp.acme.test', port: 0 })).toThrowError(
        expect.objectContaining({ code: 'VALIDATION', field: 'port' }),
      );
      expect(() => new SmtpMailTransport({ host: ' ', port: 25 })).toThrowError(
        expect.objectContaining({ code: 'VALIDATION', field: 'host' }),
      );
      expect(() => new SmtpMailTransport({ host: 'smtp.acme.test', port: 25, poolSize: 0 })).toThrowError(
        expect.objectContaining({ code: 'VALIDATION', field: 'poolSize' }),
      );
    });
  });

  describe('TLS', async () => {
    const certificate = await createTestCertificate();
    const tls = { key: certificate.key, cert: certificate.cert };

    it('upgrades with STARTTLS before logging in when requireTLS is set', async () => {
      const smtp = await server({ tls: { mode: 'starttls', ...tls } });
      await transport(smtp, { requireTLS: true, tls: { ca: certificate.cert } }).send(email());
      expect(smtp.received().map((e) => e.secure)).toEqual([true]);
      expect(smtp.authAttempts()).toEqual([{ username: 'acme', accepted: true, secure: true }]);
    });

    it('speaks TLS from the first byte when secure is set', async () => {
      const smtp = await server({ tls: { mode: 'implicit', ...tls } });
      await transport(smtp, { secure: true, tls: { ca: certificate.cert } }).send(email());
      expect(smtp.received().map((e) => e.secure)).toEqual([true]);
    });

    it('fails permanently when requireTLS meets a server without STARTTLS, before sending credentials', async () => {
      const smtp = await server();
      const error = await failure(transport(smtp, { requireTLS: true }).send(email()));
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(error.details).toMatchObject({ smtpCode: 'ETLS', command: 'STARTTLS' });
      expect(smtp.authAttempts()).toEqual([]);
      expect(smtp.received()).toEqual([]);
    });

    it('verifies the certificate against the host name when connecting to an address', async () => {
      const smtp = await server({ tls: { mode: 'starttls', ...tls } });
      const options = { address: '127.0.0.1', requireTLS: true, tls: { ca: certificate.cert } };
      await transport({ host: 'localhost', port: smtp.port }, options).send(email());
      expect(smtp.received().map((e) => e.secure)).toEqual([true]);
      // The certificate names localhost and 127.0.0.1, not this host: the name is what is checked.
      const error = await failure(
        transport({ host: 'smtp.acme.test', port: smtp.port }, options).send(email()),
      );
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(error.details).toMatchObject({ originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(smtp.authAttempts().filter((a) => a.secure)).toHaveLength(1);
    });

    it('fails permanently on a certificate it cannot verify', async () => {
      const smtp = await server({ tls: { mode: 'starttls', ...tls } });
      const error = await failure(transport(smtp, { requireTLS: true }).send(email()));
      expect(error.code).toBe('MAIL_PERMANENT');
      expect(error.details).toMatchObject({ originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(smtp.authAttempts()).toEqual([]);
    });
  });
});
