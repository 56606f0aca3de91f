import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { type ParsedEmail, parseReceivedEmail } from './received-email.js';

export interface LocalSmtpUser {
  readonly username: string;
  readonly password: string;
}

export interface LocalSmtpServerOptions extends LocalSmtpUser {
  /** More accounts the server accepts (e.g. one per store, to check credentials stay apart). */
  readonly additionalUsers?: readonly LocalSmtpUser[];
  /**
   * Without it the server speaks plain SMTP and accepts AUTH on the loopback connection. With
   * `starttls` it offers STARTTLS and refuses AUTH before the upgrade; with `implicit` it speaks
   * TLS from the first byte. See `createTestCertificate`.
   */
  readonly tls?: { readonly mode: 'starttls' | 'implicit'; readonly key: string; readonly cert: string };
}

/** The SMTP command a fault applies to: MAIL FROM, RCPT TO or DATA. */
export type LocalSmtpStage = 'mail' | 'rcpt' | 'data';

/** An email the server accepted, parsed, with the session it came in on. */
export interface LocalSmtpReceivedEmail extends ParsedEmail {
  /** MAIL FROM. */
  readonly envelopeFrom: string;
  /** The account that logged in to send it. */
  readonly username: string;
  /** Whether the connection was TLS (implicit or upgraded with STARTTLS). */
  readonly secure: boolean;
}

export interface LocalSmtpAuthAttempt {
  readonly username: string;
  readonly accepted: boolean;
  readonly secure: boolean;
}

export interface LocalSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Accepted emails, oldest first; `to` holds the envelope's recipients. */
  received(): LocalSmtpReceivedEmail[];
  /** How many connections clients opened so far. */
  connections(): number;
  /** Every AUTH attempt so far, oldest first. */
  authAttempts(): LocalSmtpAuthAttempt[];
  /** The next command at `stage` (default MAIL FROM) is answered `responseCode` (default 451). */
  throttleNext(options?: { readonly responseCode?: number; readonly stage?: LocalSmtpStage }): void;
  /** The next command at `stage` (default MAIL FROM) is never answered. */
  hangNext(stage?: LocalSmtpStage): void;
  /** RCPT TO for this address is answered 550 from now on. */
  rejectRecipient(address: string): void;
  /** Stops listening and drops the connections still open (after 100 ms). */
  close(): Promise<void>;
}

type Fault =
  | { readonly kind: 'throttle'; readonly stage: LocalSmtpStage; readonly responseCode: number }
  | { readonly kind: 'hang'; readonly stage: LocalSmtpStage };

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and a random port, requiring AUTH PLAIN/LOGIN,
 * that parses what it accepts with mailparser and can be told to fail: the far side for the
 * `MailTransport` contract and for end-to-end email tests.
 *
 * @example
 * ```ts
 * const server = await startLocalSmtpServer({ username: 'acme', password: 's3cret' });
 * const transport = new SmtpMailTransport({ host: server.host, port: server.port, username: 'acme', password: 's3cret' });
 * await transport.send(email);
 * server.received()[0]?.parleyId; // "log-0001"
 * server.throttleNext(); // the next MAIL FROM gets "451"
 * ```
 */
export async function startLocalSmtpServer(options: LocalSmtpServerOptions): Promise<LocalSmtpServer> {
  const users = new Map<string, string>([
    [options.username, options.password],
    ...(options.additionalUsers ?? []).map((u) => [u.username, u.password] as const),
  ]);
  const received: LocalSmtpReceivedEmail[] = [];
  const authAttempts: LocalSmtpAuthAttempt[] = [];
  const faults: Fault[] = [];
  const rejected = new Set<string>();
  let connections = 0;

  /** Applies the first pending fault for `stage`; true when it answered (or hung) the command. */
  const fault = (stage: LocalSmtpStage, callback: (err?: Error | null) => void): boolean => {
    const index = faults.findIndex((f) => f.stage === stage);
    if (index < 0) return false;
    const [f] = faults.splice(index, 1);
    if (f?.kind === 'throttle') callback(smtpError(f.responseCode, 'Try again later, too many messages'));
    return true; // a hang never calls back
  };
  const username = (session: SMTPServerSession): string =>
    typeof session.user === 'string' ? session.user : String(session.user ?? '');

  const server = new SMTPServer({
    secure: options.tls?.mode === 'implicit',
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    disabledCommands: options.tls === undefined ? ['STARTTLS'] : [],
    // Plain AUTH only on this loopback test server; with TLS configured, AUTH waits for it.
    allowInsecureAuth: options.tls === undefined,
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 100,
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, session, callback) {
      const accepted = auth.username !== undefined && users.get(auth.username) === auth.password;
      authAttempts.push({ username: auth.username ?? '', accepted, secure: session.secure });
      if (accepted) callback(null, { user: auth.username });
      else callback(smtpError(535, 'Authentication credentials invalid'));
    },
    onMailFrom(_address, _session, callback) {
      if (!fault('mail', callback)) callback();
    },
    onRcptTo(address, _session, callback) {
      if (fault('rcpt', callback)) return;
      if (rejected.has(address.address.toLowerCase()))
        callback(smtpError(550, `Mailbox ${address.address} unavailable`));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (fault('data', callback)) return;
        const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        parseReceivedEmail(Buffer.concat(chunks), recipients).then(
          (email) => {
            received.push({ ...email, envelopeFrom, username: username(session), secure: session.secure });
            callback(null, `OK: queued as ${received.length}`);
          },
          (error: unknown) => callback(smtpError(554, `Could not parse the message: ${String(error)}`)),
        );
      });
    },
  });
  // A client that gives up (timeout) resets its socket: expected here, not a test failure.
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    received: () => [...received],
    connections: () => connections,
    authAttempts: () => [...authAttempts],
    throttleNext: ({ responseCode = 451, stage = 'mail' } = {}) => {
      faults.push({ kind: 'throttle', stage, responseCode });
    },
    hangNext: (stage = 'mail') => {
      faults.push({ kind: 'hang', stage });
    },
    rejectRecipient: (address) => {
      rejected.add(address.toLowerCase());
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
