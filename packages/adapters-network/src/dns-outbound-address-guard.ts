import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  CLOUD_METADATA_ADDRESSES,
  type OutboundAddressGuard,
  type OutboundAddressVerdict,
} from '@parley/messaging-core';
import ipaddr from 'ipaddr.js';

/** One resolved address, as `dns.lookup(host, { all: true })` returns them. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a name to every address it has (A and AAAA). */
export type HostResolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export interface DnsOutboundAddressGuardOptions {
  /**
   * CIDRs (or single addresses) that are let through although not public, e.g. `10.20.0.0/16`
   * for a self-hosted relay or `127.0.0.0/8` in tests (`PARLEY_OUTBOUND_ALLOWED_CIDRS`). Cloud
   * metadata addresses stay refused. Default: none.
   */
  readonly allowedCidrs?: readonly string[];
  /** How long a name may take to resolve before it counts as unresolvable. Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * Name resolution. Default: `dns.lookup(host, { all: true })` — the system resolver, hosts
   * file included, as Node's own `net.connect` would use. Tests pass a table.
   */
  readonly resolve?: HostResolver;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;

// ipaddr.js calls all of 2001::/23, 2001:db8::/32 and 3fff::/20 "reserved" only where no more
// specific range matches first (teredo, amt, orchid…): refuse the whole blocks outright.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const RESERVED_V6 = ['2001::/23', '2001:db8::/32', '3fff::/20'].map((text) => ipaddr.parseCIDR(text));
const METADATA = CLOUD_METADATA_ADDRESSES.map((text) => ipaddr.parse(text));

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is. */
function unmapped(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function canonical(address: Address): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

function inRange(address: Address, [network, bits]: Cidr): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

/** The name of the non-public range an address falls in, or null when it is public. */
export function forbiddenRange(address: Address): string | null {
  const ip = unmapped(address);
  if (METADATA.some((m) => m.kind() === ip.kind() && canonical(m) === canonical(ip))) return 'cloudMetadata';
  const range = ip.range();
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6') {
    if (!inRange(ip, GLOBAL_UNICAST_V6)) return 'notGlobalUnicast';
    if (RESERVED_V6.some((cidr) => inRange(ip, cidr))) return 'reserved';
  }
  return null;
}

/**
 * Reads an allow-list: CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses. Throws an `Error`
 * naming the first entry that is neither.
 *
 * @example
 * ```ts
 * parseAllowedCidrs(['127.0.0.0/8', '10.1.2.3']); // [[IPv4 127.0.0.0, 8], [IPv4 10.1.2.3, 32]]
 * ```
 */
export function parseAllowedCidrs(entries: readonly string[]): Cidr[] {
  return entries.map((entry) => {
    const text = entry.trim();
    try {
      if (text.includes('/')) {
        const [network, bits] = ipaddr.parseCIDR(text);
        return [
          unmapped(network),
          network.kind() === 'ipv6' && unmapped(network) !== network ? bits - 96 : bits,
        ];
      }
      if (isIP(text) === 0) throw new Error('not an address');
      const address = unmapped(ipaddr.parse(text));
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`"${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8, nor an IP address`);
    }
  });
}

const systemResolver: HostResolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * `OutboundAddressGuard` over the system resolver (`node:dns`) and ipaddr.js: an IP literal is
 * judged as is; a name is resolved to all its A and AAAA records and refused when ANY of them is
 * loopback, private, link-local, shared (CGNAT), multicast, unspecified, broadcast, reserved,
 * not global unicast (IPv6) or a cloud metadata address — IPv4-mapped IPv6 judged as the IPv4
 * address it carries — unless an allow-listed CIDR covers it (metadata: never). `localhost` and
 * `*.localhost` are 127.0.0.1 and ::1 without asking the resolver (RFC 6761). Numeric forms the resolver understands (`2130706433`,
 * `127.1`, `0x7f.1`) are judged by what they resolve to.
 *
 * Side effects: one DNS lookup per name checked (none for IP literals).
 *
 * @example
 * ```ts
 * const guard = new DnsOutboundAddressGuard({ allowedCidrs: ['10.20.0.0/16'] });
 * await guard.check('169.254.169.254'); // { allowed: false, reason: 'forbidden_address', range: 'cloudMetadata', … }
 * ```
 */
export class DnsOutboundAddressGuard implements OutboundAddressGuard {
  readonly #allowed: readonly Cidr[];
  readonly #timeoutMs: number;
  readonly #resolve: HostResolver;

  constructor(options: DnsOutboundAddressGuardOptions = {}) {
    this.#allowed = parseAllowedCidrs(options.allowedCidrs ?? []);
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    if (!Number.isInteger(this.#timeoutMs) || this.#timeoutMs <= 0)
      throw new Error(`timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    this.#resolve = options.resolve ?? systemResolver;
  }

  async check(host: string): Promise<OutboundAddressVerdict> {
    const name = host
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    const literal = isIP(name) !== 0;
    if (!literal && !HOSTNAME.test(name)) return { allowed: false, reason: 'invalid_host' };
    // RFC 6761: localhost is loopback whatever the resolver says; it is not asked.
    const local = name === 'localhost' || name.endsWith('.localhost');
    const texts = local ? ['127.0.0.1', '::1'] : literal ? [name] : await this.#lookup(name);
    const addresses: Address[] = [];
    for (const text of texts) {
      if (!ipaddr.isValid(text)) continue;
      addresses.push(unmapped(ipaddr.parse(text)));
    }
    if (addresses.length === 0) return { allowed: false, reason: 'unresolvable' };
    for (const address of addresses) {
      const range = forbiddenRange(address);
      if (range === null) continue;
      if (range !== 'cloudMetadata' && this.#allowed.some((cidr) => inRange(address, cidr))) continue;
      return { allowed: false, reason: 'forbidden_address', address: canonical(address), range };
    }
    const ordered = [
      ...addresses.filter((a) => a.kind() === 'ipv4'),
      ...addresses.filter((a) => a.kind() === 'ipv6'),
    ];
    return { allowed: true, addresses: [...new Set(ordered.map(canonical))] };
  }

  async #lookup(name: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('DNS timeout')), this.#timeoutMs);
    });
    try {
      const records = await Promise.race([this.#resolve(name), timeout]);
      return records.map((r) => r.address);
    } catch {
      // No such name, no records, resolver failure or timeout: all the same to the caller.
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
