import type { OutboundEmail } from '@parley/messaging-core';
import { isMessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { formatSesAddress, sanitizeSesTag, toSesSendEmailRequest } from './ses-message.js';
import { decodeEncodedWords, parseSesAddress } from './testing/local-ses-server.js';

const email: OutboundEmail = {
  id: 'log-1',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  to: [{ address: 'ana@mail.test' }],
  subject: 'Hi',
  text: 'Hello',
};

describe('sanitizeSesTag', () => {
  it.each([
    ['log-0001', 'log-0001'],
    ['01J9Z_abc-DEF', '01J9Z_abc-DEF'],
    ['store:acme/42', 'store_acme_42'],
    ['café ü', 'caf___'],
    ['ses:from-domain', 'ses_from-domain'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(sanitizeSesTag(input)).toBe(output);
  });

  it('cuts at 256 characters', () => {
    expect(sanitizeSesTag('a'.repeat(300))).toBe('a'.repeat(256));
  });
});

describe('formatSesAddress', () => {
  it.each([
    [{ address: 'a@b.test' }, 'a@b.test'],
    [{ address: 'a@b.test', name: 'Acme Shop' }, '"Acme Shop" <a@b.test>'],
    [{ address: 'a@b.test', name: 'Acme "Best" \\ Shop' }, '"Acme \\"Best\\" \\\\ Shop" <a@b.test>'],
    [{ address: 'a@b.test', name: 'Café' }, '=?UTF-8?B?Q2Fmw6k=?= <a@b.test>'],
  ])('%j → %s', (input, output) => {
    expect(formatSesAddress(input)).toBe(output);
  });

  it('round-trips any display name through what SES parses', () => {
    for (const name of ['Acme Shop', 'Zoë & Søn, "Ltd."', '東京の店'.repeat(12), 'a\\b', 'Acme X-Evil: 1']) {
      const formatted = formatSesAddress({ address: 'shop@acme.test', name });
      expect(formatted).toMatch(/^[ -~]+$/);
      expect(parseSesAddress(formatted)).toEqual({ address: 'shop@acme.test', name });
    }
  });

  it('keeps every encoded-word within 75 characters', () => {
    const formatted = formatSesAddress({ address: 'a@b.test', name: '東京の店'.repeat(20) });
    for (const word of formatted.split(' ').slice(0, -1)) expect(word.length).toBeLessThanOrEqual(75);
  });
});

describe('toSesSendEmailRequest', () => {
  it('builds a Content.Simple request with UTF-8 parts, our id as tag and header, tags and metadata as tags', () => {
    const request = toSesSendEmailRequest(
      {
        ...email,
        replyTo: { address: 'help@acme.test' },
        html: '<p>Hello</p>',
        headers: { 'X-Trace': 'abc', 'X-Empty': '', 'x-parley-email-id': 'spoofed' },
        tags: ['new_message', 'digest'],
        metadata: { store_id: 'acme', 'conversation.id': 'c/1' },
      },
      { configurationSetName: 'parley-events' },
    );
    expect(request).toEqual({
      FromEmailAddress: '"Acme Shop" <shop@acme.test>',
      Destination: { ToAddresses: ['ana@mail.test'] },
      ReplyToAddresses: ['help@acme.test'],
      Content: {
        Simple: {
          Subject: { Data: 'Hi', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Hello', Charset: 'UTF-8' },
            Html: { Data: '<p>Hello</p>', Charset: 'UTF-8' },
          },
          Headers: [
            { Name: 'X-Trace', Value: 'abc' },
            { Name: 'X-Parley-Email-Id', Value: 'log-1' },
          ],
        },
      },
      EmailTags: [
        { Name: 'parley_email_id', Value: 'log-1' },
        { Name: 'new_message', Value: 'true' },
        { Name: 'digest', Value: 'true' },
        { Name: 'store_id', Value: 'acme' },
        { Name: 'conversation_id', Value: 'c_1' },
      ],
      ConfigurationSetName: 'parley-events',
    });
  });

  it('never lets a tag or metadata key replace our id tag, and sends at most 50 tags', () => {
    const request = toSesSendEmailRequest({
      ...email,
      tags: ['parley_email_id', ...Array.from({ length: 60 }, (_, i) => `t${i}`)],
      metadata: { parley_email_id: 'spoofed' },
    });
    expect(request.EmailTags?.[0]).toEqual({ Name: 'parley_email_id', Value: 'log-1' });
    expect(request.EmailTags?.filter((t) => t.Name === 'parley_email_id')).toHaveLength(1);
    expect(request.EmailTags).toHaveLength(50);
  });

  it('encodes header values SES would refuse (non-ASCII, tabs) as RFC 2047 words', () => {
    const request = toSesSendEmailRequest({ ...email, id: 'log:1/ä', headers: { 'X-Shop': 'Café\tBar' } });
    const headers = request.Content?.Simple?.Headers ?? [];
    for (const h of headers) expect(h.Value).toMatch(/^[ -~]+$/);
    expect(headers.map((h) => [h.Name, decodeEncodedWords(h.Value!)])).toEqual([
      ['X-Shop', 'Café\tBar'],
      ['X-Parley-Email-Id', 'log:1/ä'],
    ]);
    expect(request.EmailTags?.[0]).toEqual({ Name: 'parley_email_id', Value: 'log_1__' });
  });

  it('refuses a non-ASCII local part as a permanent failure naming the field', () => {
    let error: unknown;
    try {
      toSesSendEmailRequest({ ...email, to: [{ address: 'ana@mail.test' }, { address: 'zoë@mail.test' }] });
    } catch (e) {
      error = e;
    }
    expect(isMessagingError(error) && [error.code, error.field]).toEqual(['MAIL_PERMANENT', 'to[1]']);
  });

  it('omits optional parts it was not given', () => {
    const request = toSesSendEmailRequest({ ...email, id: '' });
    expect(request.ReplyToAddresses).toBeUndefined();
    expect(request.ConfigurationSetName).toBeUndefined();
    expect(request.Content?.Simple?.Body?.Html).toBeUndefined();
    expect(request.Content?.Simple?.Headers).toBeUndefined();
    expect(request.EmailTags).toEqual([]);
  });
});
