/** Mailgun's API base URL per region: an account's domains live in one of them. */
export const MAILGUN_BASE_URLS = {
  us: 'https://api.mailgun.net',
  eu: 'https://api.eu.mailgun.net',
} as const;

/** `us` (api.mailgun.net) or `eu` (api.eu.mailgun.net). */
export type MailgunRegion = keyof typeof MAILGUN_BASE_URLS;

/** The part of `MailgunMailTransportConfig` that picks the API's base URL. */
export interface MailgunEndpointConfig {
  /** The account's region (default `us`). */
  readonly region?: MailgunRegion;
  /** Overrides the region's URL (tests: a local server). */
  readonly baseUrl?: string;
}

/**
 * The base URL a transport talks to: `baseUrl` when given, else the region's.
 *
 * @example
 * ```ts
 * mailgunBaseUrl({ region: 'eu' }); // 'https://api.eu.mailgun.net'
 * mailgunBaseUrl({}); // 'https://api.mailgun.net'
 * ```
 */
export function mailgunBaseUrl(config: MailgunEndpointConfig): string {
  if (config.baseUrl !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(config.baseUrl))
      throw new Error(`Mailgun baseUrl must be an http(s) URL, got ${JSON.stringify(config.baseUrl)}`);
    return config.baseUrl.replace(/\/+$/, '');
  }
  const region = config.region ?? 'us';
  if (!Object.hasOwn(MAILGUN_BASE_URLS, region))
    throw new Error(`unknown Mailgun region ${JSON.stringify(region)}: use "us" or "eu"`);
  return MAILGUN_BASE_URLS[region];
}
