import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import type { OutboundEmail } from '../ports/mail-transport.js';
import { prepareOutboundEmail } from './outbound-email.js';

const base: OutboundEmail = {
  id: 'log-1',
  from: { address: 'shop@acme.test', name: 'Acme' },
  to: [{ address: 'ana@mail.test' }],
  subject: 'Hi',
  text: 'Body\r\nwith lines',
};

describe('prepareOutboundEmail', () => {
  it('strips line breaks from every header value, keeping bodies intact', () => {
    const safe = prepareOutboundEmail({
      ...base,
      from: { address: 'shop@acme.test', name: 'Acme\r\nBcc: evil@x.test' },
      subject: 'Hello\r\nBcc: evil@x.test\u2028X',
      headers: { 'X-Parley-Id': 'a\nb' },
      metadata: { store: 's1\r\n' },
      tags: ['new\nmessage'],
    });
    expect(safe.subject).toBe('Hello Bcc: evil@x.test X');
    expect(safe.from.name).toBe('Acme Bcc: evil@x.test');
    expect(safe.headers).toEqual({ 'X-Parley-Id': 'a b' });
    expect(safe.metadata).toEqual({ store: 's1' });
    expect(safe.tags).toEqual(['new message']);
    expect(safe.text).toBe('Body\r\nwith lines');
  });

  it('refuses invalid addresses and header names as permanent failures naming the field', () => {
    const cases: [OutboundEmail, string][] = [
      [{ ...base, to: [{ address: 'ana@mail.test' }, { address: 'nope' }] }, 'to[1]'],
      [{ ...base, to: [{ address: 'ana@mail.test\r\nBcc: x@y.test' }] }, 'to[0]'],
      [{ ...base, from: { address: 'a@b' } }, 'from'],
      [{ ...base, replyTo: { address: 'a b@c.test' } }, 'reply_to'],
      [{ ...base, to: [] }, 'to'],
      [{ ...base, headers: { 'Bad Name': 'x' } }, 'headers'],
    ];
    for (const [email, field] of cases) {
      let error: unknown;
      try {
        prepareOutboundEmail(email);
      } catch (e) {
        error = e;
      }
      expect(isMessagingError(error) && [error.code, error.field]).toEqual(['MAIL_PERMANENT', field]);
    }
  });
});
