import {
  CLOUD_METADATA_ADDRESSES,
  type OutboundAddressGuard,
  type OutboundAddressVerdict,
} from '../ports/outbound-address-guard.js';

export interface InMemoryOutboundAddressGuardOptions {
  /** The DNS it pretends to query: host name → addresses (A and AAAA). Other names do not resolve. */
  readonly records?: Readonly<Record<string, readonly string[]>>;
  /** CIDRs (or single addresses) let through although not public, as `PARLEY_OUTBOUND_ALLOWED_CIDRS`. */
  readonly allowedCidrs?: readonly string[];
}

interface Ip {
  readonly version: 4 | 6;
  readonly value: bigint;
}

interface Cidr extends Ip {
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;

function parseIpv4(text: string): bigint | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  let value = 0n;
  for (const part of match.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(text)) return null;
  let source = text;
  const last = source.lastIndexOf(':');
  if (source.slice(last + 1).includes('.')) {
    const v4 = parseIpv4(source.slice(last + 1));
    if (v4 === null) return null;
    source = `${source.slice(0, last + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = source.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

/** Parses an IP literal; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) comes back as IPv4. */
function parseIp(text: string): Ip | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffff_ffffn };
  return { version: 6, value: v6 };
}

function format(ip: Ip): string {
  if (ip.version === 4)
    return [24n, 16n, 8n, 0n].map((shift) => ((ip.value >> shift) & 0xffn).toString()).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups (the first on a tie) becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

function cidr(text: string): Cidr {
  const [address = '', bits] = text.trim().split('/');
  const ip = parseIp(address);
  const width = ip?.version === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : Number(bits);
  if (ip === null || !/^\d{1,3}$/.test(bits ?? '0') || prefix > width)
    throw new Error(`"${text}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
  return { ...ip, prefix };
}

function contains(range: Cidr, ip: Ip): boolean {
  if (range.version !== ip.version) return false;
  const shift = BigInt((range.version === 4 ? 32 : 128) - range.prefix);
  return range.value >> shift === ip.value >> shift;
}

// The ranges that are not the public internet, by the names ipaddr.js gives them.
const FORBIDDEN_V4: readonly (readonly [string, Cidr])[] = (
  [
    ['unspecified', '0.0.0.0/8'],
    ['private', '10.0.0.0/8'],
    ['carrierGradeNat', '100.64.0.0/10'],
    ['loopback', '127.0.0.0/8'],
    ['linkLocal', '169.254.0.0/16'],
    ['private', '172.16.0.0/12'],
    ['reserved', '192.0.0.0/24'],
    ['reserved', '192.0.2.0/24'],
    ['reserved', '192.88.99.0/24'],
    ['private', '192.168.0.0/16'],
    ['reserved', '198.18.0.0/15'],
    ['reserved', '198.51.100.0/24'],
    ['reserved', '203.0.113.0/24'],
    ['multicast', '224.0.0.0/4'],
    ['reserved', '240.0.0.0/4'],
  ] as const
).map(([name, text]) => [name, cidr(text)] as const);
const GLOBAL_UNICAST_V6 = cidr('2000::/3');
const FORBIDDEN_V6: readonly (readonly [string, Cidr])[] = (
  [
    ['reserved', '2001::/23'],
    ['reserved', '2001:db8::/32'],
    ['6to4', '2002::/16'],
    ['reserved', '3fff::/20'],
  ] as const
).map(([name, text]) => [name, cidr(text)] as const);
const METADATA = CLOUD_METADATA_ADDRESSES.map((text) => cidr(text));

/** The range name of an address that is not public, or null for a public one. */
function forbiddenRange(ip: Ip): string | null {
  if (METADATA.some((m) => contains(m, ip))) return 'cloudMetadata';
  if (ip.version === 4) return FORBIDDEN_V4.find(([, range]) => contains(range, ip))?.[0] ?? null;
  if (!contains(GLOBAL_UNICAST_V6, ip)) return ip.value === 1n ? 'loopback' : 'notGlobalUnicast';
  return FORBIDDEN_V6.find(([, range]) => contains(range, ip))?.[0] ?? null;
}

/**
 * `OutboundAddressGuard` over a table of names instead of DNS, with the same address policy as
 * `DnsOutboundAddressGuard` (its contract suite holds both to it). `checked` lists every host
 * asked about, so tests can see that a use case checked before connecting; `setRecords` changes
 * an answer between two checks (DNS rebinding).
 *
 * @example
 * ```ts
 * const guard = new InMemoryOutboundAddressGuard({ records: { 'smtp.acme.test': ['93.184.215.14'] } });
 * await guard.check('smtp.acme.test'); // { allowed: true, addresses: ['93.184.215.14'] }
 * await guard.check('10.0.0.1'); // { allowed: false, reason: 'forbidden_address', … }
 * ```
 */
export class InMemoryOutboundAddressGuard implements OutboundAddressGuard {
  readonly checked: string[] = [];
  readonly #records = new Map<string, readonly string[]>();
  readonly #allowed: readonly Cidr[];

  constructor(options: InMemoryOutboundAddressGuardOptions = {}) {
    for (const [name, addresses] of Object.entries(options.records ?? {})) this.setRecords(name, addresses);
    this.#allowed = (options.allowedCidrs ?? []).map(cidr);
  }

  /** What the name resolves to from now on (an empty list: it no longer resolves). */
  setRecords(name: string, addresses: readonly string[]): void {
    this.#records.set(name.toLowerCase().replace(/\.$/, ''), [...addresses]);
  }

  async check(host: string): Promise<OutboundAddressVerdict> {
    this.checked.push(host);
    const name = host
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    const literal = parseIp(name);
    if (literal === null && !HOSTNAME.test(name)) return { allowed: false, reason: 'invalid_host' };
    // RFC 6761: localhost is loopback whatever a resolver says.
    const local = name === 'localhost' || name.endsWith('.localhost');
    const texts = local ? ['127.0.0.1', '::1'] : literal === null ? (this.#records.get(name) ?? []) : [name];
    const ips = texts.map(parseIp).filter((ip): ip is Ip => ip !== null);
    if (ips.length === 0) return { allowed: false, reason: 'unresolvable' };
    for (const ip of ips) {
      const range = forbiddenRange(ip);
      if (range === null) continue;
      if (range !== 'cloudMetadata' && this.#allowed.some((allowed) => contains(allowed, ip))) continue;
      return { allowed: false, reason: 'forbidden_address', address: format(ip), range };
    }
    const ordered = [...ips.filter((ip) => ip.version === 4), ...ips.filter((ip) => ip.version === 6)];
    return { allowed: true, addresses: [...new Set(ordered.map(format))] };
  }
}
