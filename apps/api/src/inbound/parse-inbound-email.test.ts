import { describe, expect, it } from 'vitest';
import {
  dedupeKeyOf,
  inboundEmailFromFields,
  parseHeaderBlock,
  parseRawInboundEmail,
  stripQuotedReply,
} from './parse-inbound-email.js';

const GMAIL = [
  'Tuesday works for me.',
  '',
  'Ana',
  '',
  'On Mon, Dec 7, 2026 at 10:02 AM Acme Shop <reply+abc@inbound.example.com> wrote:',
  '> Can we ship on Tuesday?',
  '>',
  '> Acme',
].join('\r\n');

const OUTLOOK = [
  'Yes please, send it.',
  '',
  'Best regards,',
  '',
  '-----Original Message-----',
  'From: Acme Shop <reply+abc@inbound.example.com>',
  'Sent: Monday, December 7, 2026 10:02 AM',
  'To: Ana <ana@example.com>',
  'Subject: New message: Order 42',
  '',
  'Can we ship on Tuesday?',
].join('\r\n');

const OUTLOOK_HEADER_BLOCK = [
  'Merci, parfait.',
  '',
  '________________________________',
  'From: Acme Shop <reply+abc@inbound.example.com>',
  'Sent: Monday, December 7, 2026 10:02',
  'To: Ana',
  'Subject: New message',
  '',
  'Can we ship on Tuesday?',
].join('\n');

const SIGNATURE = ['Thanks!', '', '-- ', 'Ana Example', '+33 1 23 45 67 89'].join('\n');

describe('stripQuotedReply', () => {
  it('keeps only the new text of Gmail, Outlook and signed replies', () => {
    expect(stripQuotedReply(GMAIL)).toBe('Tuesday works for me.\n\nAna');
    expect(stripQuotedReply(OUTLOOK)).toBe('Yes please, send it.'); // the closing phrase counts as signature
    expect(stripQuotedReply(OUTLOOK_HEADER_BLOCK)).toBe('Merci, parfait.');
    expect(stripQuotedReply(SIGNATURE)).toBe('Thanks!');
    expect(stripQuotedReply('> only a quote')).toBe('');
  });
});

describe('parseRawInboundEmail', () => {
  it('reads sender, recipients, Message-ID, stripped text and file attachments', async () => {
    const raw = Buffer.from(
      [
        'From: Ana <ana@example.com>',
        'To: Acme <reply+abc@inbound.example.com>',
        'Cc: other@example.com',
        'Subject: Re: New message',
        'Message-ID: <m-1@mail.example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        GMAIL,
        '--b1',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('hello notes').toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const email = await parseRawInboundEmail(raw, { recipients: ['reply+env@inbound.example.com'] });
    expect(email.from).toBe('ana@example.com');
    expect(email.recipients).toEqual([
      'reply+env@inbound.example.com',
      'reply+abc@inbound.example.com',
      'other@example.com',
    ]);
    expect(email.messageIdHeader).toBe('<m-1@mail.example.com>');
    expect(email.dedupeKey).toBe(dedupeKeyOf('m-1@mail.example.com', ''));
    expect(email.text).toBe('Tuesday works for me.\n\nAna');
    expect(email.attachments.map((a) => [a.filename, Buffer.from(a.content).toString()])).toEqual([
      ['notes.txt', 'hello notes'],
    ]);
    expect(email.automatic).toBe(false);
  });

  it('marks auto-replies as automatic', async () => {
    const raw = Buffer.from(
      'From: a@example.com\r\nTo: reply+abc@inbound.example.com\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nAway.\r\n',
    );
    expect((await parseRawInboundEmail(raw)).automatic).toBe(true);
  });
});

describe('provider fields', () => {
  it('builds the same dedupe key from the Message-ID and parses header blocks', () => {
    const headers = parseHeaderBlock('Message-ID: <m-1@mail.example.com>\r\nSubject: a\r\n  folded\r\n');
    expect(headers).toEqual({ 'message-id': '<m-1@mail.example.com>', subject: 'a folded' });
    const email = inboundEmailFromFields({
      from: 'ana@example.com',
      recipients: ['reply+abc@inbound.example.com'],
      messageId: headers['message-id'] ?? null,
      text: GMAIL,
      attachments: [],
    });
    expect(email.dedupeKey).toBe(dedupeKeyOf('m-1@mail.example.com', 'anything'));
    expect(email.text).toBe('Tuesday works for me.\n\nAna');
  });
});
