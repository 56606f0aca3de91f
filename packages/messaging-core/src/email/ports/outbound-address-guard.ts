/**
 * Why a host was refused:
 * - `forbidden_address`: it is, or resolves to at least one, address outside the public internet
 *   (loopback, private, link-local, shared/CGNAT, multicast, unspecified, reserved, cloud
 *   metadata…) that the operator's allow-list does not cover;
 * - `unresolvable`: the name has no address now (no such name, no records, DNS failure or timeout);
 * - `invalid_host`: not a host name or IP address at all.
 */
export type OutboundRefusalReason = 'forbidden_address' | 'unresolvable' | 'invalid_host';

/** The answer for one host. */
export type OutboundAddressVerdict =
  | {
      readonly allowed: true;
      /**
       * Every address the host resolved to (an IP literal: itself), all permitted, IPv4 first,
       * in canonical form (IPv4-mapped IPv6 as dotted IPv4). Connect to one of these, never to
       * the name again: resolving twice would let DNS answer differently the second time.
       */
      readonly addresses: readonly string[];
    }
  | {
      readonly allowed: false;
      readonly reason: OutboundRefusalReason;
      /** For `forbidden_address`: the first address refused and the range it falls in, for logs. */
      readonly address?: string;
      readonly range?: string;
    };

/**
 * Decides whether Parley may open a connection to a host that someone outside the platform chose
 * (a store's SMTP server; webhook URLs later), so that a tenant cannot make Parley reach the
 * platform's own network or cloud metadata service (SSRF). The host is resolved (every A and
 * AAAA record) and refused when ANY address is not a public one, unless the operator's CIDR
 * allow-list covers it; cloud metadata addresses are refused even then. Ask again right before
 * every connection and connect to an address it returned.
 *
 * Side effects: DNS queries (the in-memory implementation makes none). Never throws for a bad or
 * unknown host: that is a refusal.
 *
 * @example
 * ```ts
 * const verdict = await guard.check('smtp.acme.example');
 * if (verdict.allowed) connect(verdict.addresses[0]);
 * else if (verdict.reason === 'forbidden_address') refuse('smtp_host');
 * ```
 */
export interface OutboundAddressGuard {
  check(host: string): Promise<OutboundAddressVerdict>;
}

/**
 * Cloud instance metadata and platform endpoints, refused even when an allow-listed CIDR covers
 * them: AWS/GCP/Azure/OpenStack (169.254.169.254), AWS ECS task metadata (169.254.170.2), AWS over
 * IPv6 (fd00:ec2::254), Alibaba Cloud (100.100.100.200) and Azure's wire server (168.63.129.16, a
 * public address).
 */
export const CLOUD_METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254',
  '169.254.170.2',
  'fd00:ec2::254',
  '100.100.100.200',
  '168.63.129.16',
];
