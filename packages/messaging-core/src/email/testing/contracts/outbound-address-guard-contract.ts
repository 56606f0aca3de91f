import { describe, expect, it } from 'vitest';
import type { OutboundAddressGuard } from '../../ports/outbound-address-guard.js';

export interface OutboundAddressGuardContractOptions {
  readonly name: string;
  /**
   * A fresh guard whose name resolution answers exactly `records` (host name → A and AAAA
   * addresses; any other name does not resolve) and lets `allowedCidrs` through.
   */
  readonly create: (setup: {
    readonly records: Readonly<Record<string, readonly string[]>>;
    readonly allowedCidrs: readonly string[];
  }) => OutboundAddressGuard;
}

/** Addresses no tenant may reach, one per kind of range, IPv4-mapped forms included. */
export const FORBIDDEN_ADDRESSES: readonly string[] = [
  '127.0.0.1',
  '127.53.0.9',
  '0.0.0.0',
  '10.0.0.1',
  '172.16.5.4',
  '172.31.255.255',
  '192.168.1.1',
  '169.254.169.254',
  '169.254.1.1',
  '100.64.0.1',
  '100.100.100.200',
  '168.63.129.16',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '240.0.0.1',
  '192.0.2.10',
  '::1',
  '::',
  'fe80::1',
  'fc00::1',
  'fd12:3456::1',
  'fd00:ec2::254',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:10.0.0.1',
  '::ffff:169.254.169.254',
  '::ffff:7f00:1',
  '2001:db8::1',
];

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:4700:4700::1111';

/**
 * What every `OutboundAddressGuard` must answer: public addresses pass, every non-public range
 * (and cloud metadata) is refused, a name is refused when ANY of its addresses is, unknown names
 * are unresolvable, and the allow-list lets chosen private ranges through but never metadata.
 *
 * @example
 * ```ts
 * outboundAddressGuardContract({
 *   name: 'in-memory',
 *   create: ({ records, allowedCidrs }) => new InMemoryOutboundAddressGuard({ records, allowedCidrs }),
 * });
 * ```
 */
export function outboundAddressGuardContract(options: OutboundAddressGuardContractOptions): void {
  describe(`OutboundAddressGuard contract: ${options.name}`, () => {
    const guard = (
      records: Readonly<Record<string, readonly string[]>> = {},
      allowedCidrs: readonly string[] = [],
    ) => options.create({ records, allowedCidrs });

    it('allows public IPv4 and IPv6 literals and answers the address itself', async () => {
      expect(await guard().check(PUBLIC_V4)).toEqual({ allowed: true, addresses: [PUBLIC_V4] });
      expect(await guard().check(PUBLIC_V6)).toEqual({ allowed: true, addresses: [PUBLIC_V6] });
      expect(await guard().check('2606:4700:4700:0:0:0:0:1111')).toEqual({
        allowed: true,
        addresses: [PUBLIC_V6],
      });
    });

    it.each(FORBIDDEN_ADDRESSES)('refuses the literal %s', async (address) => {
      const verdict = await guard().check(address);
      expect(verdict).toMatchObject({ allowed: false, reason: 'forbidden_address' });
    });

    it('takes localhost and *.localhost for 127.0.0.1 and ::1 without asking DNS', async () => {
      for (const host of ['localhost', 'LOCALHOST.', 'smtp.localhost'])
        expect(
          await guard({ localhost: [PUBLIC_V4], 'smtp.localhost': [PUBLIC_V4] }).check(host),
        ).toMatchObject({
          allowed: false,
          reason: 'forbidden_address',
          address: '127.0.0.1',
        });
      expect(await guard({}, ['127.0.0.0/8', '::1/128']).check('localhost')).toEqual({
        allowed: true,
        addresses: ['127.0.0.1', '::1'],
      });
    });

    it('resolves names: every address is answered, IPv4 first', async () => {
      const g = guard({ 'smtp.acme.example': [PUBLIC_V6, PUBLIC_V4, '8.8.8.8'] });
      expect(await g.check('smtp.acme.example')).toEqual({
        allowed: true,
        addresses: [PUBLIC_V4, '8.8.8.8', PUBLIC_V6],
      });
      expect(await g.check('SMTP.Acme.Example.')).toEqual({
        allowed: true,
        addresses: [PUBLIC_V4, '8.8.8.8', PUBLIC_V6],
      });
    });

    it('refuses a name when any one of its addresses is not public', async () => {
      const g = guard({
        'mixed.acme.example': [PUBLIC_V4, '10.1.2.3'],
        'metadata.acme.example': ['169.254.169.254'],
        'mapped.acme.example': [PUBLIC_V6, '::ffff:127.0.0.1'],
      });
      expect(await g.check('mixed.acme.example')).toMatchObject({
        allowed: false,
        reason: 'forbidden_address',
        address: '10.1.2.3',
      });
      expect(await g.check('metadata.acme.example')).toMatchObject({
        allowed: false,
        address: '169.254.169.254',
      });
      expect(await g.check('mapped.acme.example')).toMatchObject({ allowed: false, address: '127.0.0.1' });
    });

    it('answers unresolvable for a name without addresses, invalid_host for garbage', async () => {
      expect(await guard({ 'empty.acme.example': [] }).check('nowhere.acme.example')).toEqual({
        allowed: false,
        reason: 'unresolvable',
      });
      expect(await guard({ 'empty.acme.example': [] }).check('empty.acme.example')).toEqual({
        allowed: false,
        reason: 'unresolvable',
      });
      for (const host of ['', 'smtp acme.example', 'http://smtp.acme.example', 'a/b'])
        expect(await guard().check(host)).toEqual({ allowed: false, reason: 'invalid_host' });
    });

    it('lets allow-listed ranges through, in every spelling, and nothing else', async () => {
      const g = guard({ 'relay.internal.example': ['10.20.30.40'], 'box.example': ['192.168.7.7'] }, [
        '127.0.0.0/8',
        '10.20.0.0/16',
        'fd00:1234::/32',
      ]);
      expect(await g.check('127.0.0.1')).toEqual({ allowed: true, addresses: ['127.0.0.1'] });
      expect(await g.check('::ffff:127.0.0.1')).toEqual({ allowed: true, addresses: ['127.0.0.1'] });
      expect(await g.check('relay.internal.example')).toEqual({ allowed: true, addresses: ['10.20.30.40'] });
      expect(await g.check('fd00:1234::5')).toEqual({ allowed: true, addresses: ['fd00:1234::5'] });
      expect(await g.check('10.21.0.1')).toMatchObject({ allowed: false, reason: 'forbidden_address' });
      expect(await g.check('box.example')).toMatchObject({ allowed: false, reason: 'forbidden_address' });
      expect(await g.check('::1')).toMatchObject({ allowed: false, reason: 'forbidden_address' });
      expect(await g.check('localhost')).toMatchObject({ allowed: false, reason: 'forbidden_address' });
      expect(await g.check(PUBLIC_V4)).toEqual({ allowed: true, addresses: [PUBLIC_V4] });
    });

    it('refuses cloud metadata addresses even inside an allow-listed range', async () => {
      const g = guard({}, ['169.254.0.0/16', '100.64.0.0/10', 'fd00::/8', '168.63.0.0/16']);
      expect(await g.check('169.254.10.10')).toEqual({ allowed: true, addresses: ['169.254.10.10'] });
      for (const address of ['169.254.169.254', '100.100.100.200', 'fd00:ec2::254', '168.63.129.16'])
        expect(await g.check(address)).toMatchObject({ allowed: false, reason: 'forbidden_address' });
    });
  });
}
