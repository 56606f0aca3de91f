import { describe, expect, it } from 'vitest';
import { parseAddressList, parseMailbox } from './mail-address-parser.js';

describe('parseMailbox', () => {
  it.each([
    ['ana@mail.test', { address: 'ana@mail.test' }],
    ['  ana@mail.test ', { address: 'ana@mail.test' }],
    ['<ana@mail.test>', { address: 'ana@mail.test' }],
    ['Ana <ana@mail.test>', { address: 'ana@mail.test', name: 'Ana' }],
    ['"Acme Shop" <shop@acme.test>', { address: 'shop@acme.test', name: 'Acme Shop' }],
    ['"Doe, Ana" <ana@mail.test>', { address: 'ana@mail.test', name: 'Doe, Ana' }],
    ['"Ana \\"A\\" \\\\ B" <ana@mail.test>', { address: 'ana@mail.test', name: 'Ana "A" \\ B' }],
    ['"Acme X-Evil: 1" <shop@acme.test>', { address: 'shop@acme.test', name: 'Acme X-Evil: 1' }],
    ['"" <ana@mail.test>', { address: 'ana@mail.test' }],
  ])('%s', (value, mailbox) => {
    expect(parseMailbox(value)).toEqual(mailbox);
  });

  it.each([
    'not an address',
    'ana@mail',
    'Ana <ana@mail.test',
    '"Ana <ana@mail.test>',
    'Ana <not an address>',
    'Ana <ana@mail.test> trailing',
    '"Acme\r\nBcc: x@y.test" <shop@acme.test>',
    '',
  ])('refuses %j', (value) => {
    expect(parseMailbox(value)).toBeNull();
  });
});

describe('parseAddressList', () => {
  it('splits on commas outside quotes and brackets', () => {
    expect(parseAddressList('"Doe, Ana" <ana@mail.test>, bo@mail.test,Cy <cy@mail.test>')).toEqual([
      { address: 'ana@mail.test', name: 'Doe, Ana' },
      { address: 'bo@mail.test' },
      { address: 'cy@mail.test', name: 'Cy' },
    ]);
  });

  it('refuses a list with one bad entry or an open quote', () => {
    expect(parseAddressList('ana@mail.test, nope')).toBeNull();
    expect(parseAddressList('"Doe, Ana <ana@mail.test>')).toBeNull();
    expect(parseAddressList('ana@mail.test,')).toBeNull();
  });
});
