import { outboundAddressGuardContract } from '@parley/messaging-core/testing/contracts';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { DnsOutboundAddressGuard, forbiddenRange, parseAllowedCidrs } from './dns-outbound-address-guard.js';

// The contract with a table as the resolver, so both implementations see the same DNS.
outboundAddressGuardContract({
  name: 'DnsOutboundAddressGuard',
  create: ({ records, allowedCidrs }) =>
    new DnsOutboundAddressGuard({
      allowedCidrs,
      resolve: async (host) => {
        const addresses = records[host];
        if (!addresses?.length)
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
    }),
});

describe('DnsOutboundAddressGuard on the system resolver', () => {
  const guard = new DnsOutboundAddressGuard();

  it('judges numeric spellings by the address the resolver makes of them', async () => {
    for (const host of ['2130706433', '127.1', '0x7f.0.0.1', '0177.0.0.1', '017700000001'])
      expect(await guard.check(host)).toMatchObject({
        allowed: false,
        reason: 'forbidden_address',
        address: '127.0.0.1',
      });
    expect(await guard.check('0')).toMatchObject({ allowed: false, address: '0.0.0.0' });
    expect(await guard.check('10.1')).toMatchObject({ allowed: false, address: '10.0.0.1' });
  });

  it('names the range it refused, for logs', async () => {
    const ranges = await Promise.all(
      [
        '127.0.0.1',
        '10.0.0.1',
        '169.254.169.254',
        '169.254.3.3',
        '100.64.0.9',
        '224.0.0.1',
        '0.0.0.0',
        '::1',
        'fd00:ec2::254',
      ].map(async (host) => ((await guard.check(host)) as { range?: string }).range),
    );
    expect(ranges).toEqual([
      'loopback',
      'private',
      'cloudMetadata',
      'linkLocal',
      'carrierGradeNat',
      'multicast',
      'unspecified',
      'loopback',
      'cloudMetadata',
    ]);
  });

  it('answers unresolvable for a name that does not exist', async () => {
    expect(await guard.check('no-such-host.invalid')).toEqual({ allowed: false, reason: 'unresolvable' });
  });

  it('answers unresolvable when the resolver takes longer than the timeout', async () => {
    const slow = new DnsOutboundAddressGuard({
      timeoutMs: 50,
      resolve: () =>
        new Promise((resolve) => setTimeout(() => resolve([{ address: '93.184.215.14', family: 4 }]), 2_000)),
    });
    expect(await slow.check('slow.example')).toEqual({ allowed: false, reason: 'unresolvable' });
  });

  it('refuses NAT64, 6to4 and Teredo forms, which carry an IPv4 address it cannot vouch for', () => {
    for (const text of ['64:ff9b::7f00:1', '2002:7f00:1::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2'])
      expect(forbiddenRange(ipaddr.parse(text))).not.toBeNull();
    expect(forbiddenRange(ipaddr.parse('2a00:1450:4001:80b::200e'))).toBeNull();
  });

  it('reads allow-lists and names a bad entry', () => {
    expect(
      parseAllowedCidrs(['127.0.0.0/8', ' 10.1.2.3 ', 'fd00::/8']).map(
        ([a, bits]) => `${a.toString()}/${bits}`,
      ),
    ).toEqual(['127.0.0.0/8', '10.1.2.3/32', 'fd00::/8']);
    expect(() => parseAllowedCidrs(['10.0.0.0/33'])).toThrow('"10.0.0.0/33" is not a CIDR');
    expect(() => parseAllowedCidrs(['intranet'])).toThrow('"intranet" is not a CIDR');
    expect(() => new DnsOutboundAddressGuard({ allowedCidrs: ['127.1'] })).toThrow('"127.1" is not a CIDR');
  });
});
