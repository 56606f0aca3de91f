import type { AddressInfo } from 'node:net';
import { replyTokenFromAddress } from '@parley/messaging-core';
import { SMTPServer } from 'smtp-server';
import type { ReceiveInboundEmail } from './inbound-mail.js';
import { parseRawInboundEmail } from './parse-inbound-email.js';

export interface SmtpInboundListenerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Only `reply+<token>@<domain>` recipients are accepted: the listener relays nothing. */
  readonly domain: string;
  readonly maxBytes: number;
  readonly receive: ReceiveInboundEmail;
  readonly logger?: {
    error(object: object, message: string): void;
    info(object: object, message: string): void;
  };
}

/** The running listener. */
export interface SmtpInboundListener {
  /** Where it listens (the real port when started with 0). */
  readonly address: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

function smtpError(message: string, responseCode: number): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The built-in SMTP listener for self-hosting (`smtp-server`, `PARLEY_INBOUND_SMTP_PORT`): no AUTH,
 * no relaying — `RCPT TO` is refused (550) for anything but a reply address of the inbound domain,
 * and messages over `maxBytes` are refused (552, announced with `SIZE`). Each accepted message is
 * parsed and handed to `receive` before the `250` answer; an unexpected failure answers `451`, so
 * the sending MTA retries later. Plain SMTP (port 25 behind your MX, or behind a TLS-terminating
 * relay); STARTTLS is not offered.
 *
 * @example
 * ```ts
 * const smtp = await startSmtpInboundListener({ host: '0.0.0.0', port: 2525, domain, maxBytes, receive });
 * await smtp.close();
 * ```
 */
export async function startSmtpInboundListener(
  options: SmtpInboundListenerOptions,
): Promise<SmtpInboundListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    banner: 'Parley reply by email',
    logger: false,
    onRcptTo(address, _session, callback) {
      if (replyTokenFromAddress(address.address, options.domain) === null) {
        callback(smtpError(`<${address.address}>: no such reply address here`, 550));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(smtpError(`message larger than ${options.maxBytes} bytes`, 552));
          return;
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        void (async () => {
          try {
            const email = await parseRawInboundEmail(Buffer.concat(chunks), { recipients });
            const receipt = await options.receive(email);
            options.logger?.info({ inbound: receipt.status }, 'inbound email over SMTP');
            callback(null, `accepted: ${receipt.status}`);
          } catch (error) {
            options.logger?.error({ err: error }, 'inbound email over SMTP failed; the sender retries');
            callback(smtpError('temporary failure, try again later', 451));
          }
        })();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger?.error({ err: error }, 'SMTP listener error'));
  const bound = server.server.address() as AddressInfo;
  return {
    address: { host: options.host, port: bound.port },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
