/**
 * What one viewer receives for one durable event (see `LiveFeed`): placeholder until the live feed
 * lands; the transport never reads inside it (it hands it to the wire mapping).
 */
export type LiveView = { readonly type: string };
