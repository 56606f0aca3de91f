export type {
  DnsOutboundAddressGuardOptions,
  HostResolver,
  ResolvedAddress,
} from './dns-outbound-address-guard.js';
export { DnsOutboundAddressGuard, forbiddenRange, parseAllowedCidrs } from './dns-outbound-address-guard.js';
