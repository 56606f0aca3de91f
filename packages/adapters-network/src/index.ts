export type {
  DnsOutboundAddressGuardOptions,
  HostResolver,
  ResolvedAddress,
} from './dns-outbound-address-guard.js';
export { DnsOutboundAddressGuard, forbiddenRange, parseAllowedCidrs } from './dns-outbound-address-guard.js';
export type { HttpWebhookTransportOptions } from './http-webhook-transport.js';
export { generateWebhookSecret, HttpWebhookTransport, signWebhook } from './http-webhook-transport.js';
