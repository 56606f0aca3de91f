import { describe, expect, it } from 'vitest';
import { type MailgunRegion, mailgunBaseUrl } from './mailgun-region.js';

describe('mailgunBaseUrl', () => {
  it.each([
    [{}, 'https://api.mailgun.net'],
    [{ region: 'us' }, 'https://api.mailgun.net'],
    [{ region: 'eu' }, 'https://api.eu.mailgun.net'],
    [{ region: 'eu', baseUrl: 'http://127.0.0.1:4010' }, 'http://127.0.0.1:4010'],
    [{ baseUrl: 'http://127.0.0.1:4010/' }, 'http://127.0.0.1:4010'],
  ] as const)('%j → %s', (config, url) => {
    expect(mailgunBaseUrl(config)).toBe(url);
  });

  it('refuses an unknown region or a base URL that is not http(s)', () => {
    expect(() => mailgunBaseUrl({ region: 'EU' as MailgunRegion })).toThrow(
      'unknown Mailgun region "EU": use "us" or "eu"',
    );
    expect(() => mailgunBaseUrl({ region: 'toString' as MailgunRegion })).toThrow('unknown Mailgun region');
    expect(() => mailgunBaseUrl({ baseUrl: 'api.mailgun.net' })).toThrow(
      'Mailgun baseUrl must be an http(s) URL, got "api.mailgun.net"',
    );
  });
});
