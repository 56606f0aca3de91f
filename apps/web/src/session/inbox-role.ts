/** What the signed-in person may do in the inbox; what they may not do is not offered at all. */
export interface InboxRole {
  /** The token's role. */
  readonly role: string;
  /** The audience routes the inbox reads through (`/api/v1/{audience}/messages`). */
  readonly audience: 'admin' | 'store' | 'storefront';
  /** May start conversations ("New conversation"). */
  readonly canCompose: boolean;
  /** May close and reopen conversations. */
  readonly canClose: boolean;
  /** How the header names the signed-in person's role. */
  readonly label: string;
  /** The list's type filter: conversation types the role takes part in, named by counterpart. */
  readonly types: readonly { readonly value: string; readonly label: string }[];
  /** Whom a new conversation may be with, and its conversation type for each. */
  readonly recipients: readonly {
    readonly type: 'store' | 'customer';
    readonly label: string;
    readonly conversationType: string;
  }[];
}

const ROLES: Readonly<Record<string, InboxRole>> = {
  admin: {
    role: 'admin',
    audience: 'admin',
    canCompose: true,
    canClose: true,
    label: 'Marketplace admin',
    types: [
      { value: 'admin_store', label: 'Stores' },
      { value: 'admin_customer', label: 'Customers' },
    ],
    recipients: [
      { type: 'store', label: 'Store user', conversationType: 'admin_store' },
      { type: 'customer', label: 'Customer', conversationType: 'admin_customer' },
    ],
  },
  store: {
    role: 'store',
    audience: 'store',
    canCompose: true,
    canClose: true,
    label: 'Store',
    types: [
      { value: 'store_customer', label: 'Customers' },
      { value: 'admin_store', label: 'Marketplace' },
    ],
    recipients: [{ type: 'customer', label: 'Customer', conversationType: 'store_customer' }],
  },
  customer: {
    role: 'customer',
    audience: 'storefront',
    canCompose: false,
    canClose: false,
    label: 'Customer',
    types: [],
    recipients: [],
  },
};

/**
 * The inbox role for a token's role claim (the marketplace's admin, store and customer), or null
 * when this inbox has no view for it yet. Pure; the API still decides every call.
 */
export function inboxRoleOf(role: string): InboxRole | null {
  return ROLES[role] ?? null;
}
