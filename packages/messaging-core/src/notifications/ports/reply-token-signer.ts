/**
 * Signs reply tokens (the `reply+<token>@…` addresses notification emails carry as Reply-To): a
 * keyed MAC, so only this installation can issue an address that posts into a conversation as a
 * given person. Pure computation: no I/O, no side effects.
 *
 * @example
 * ```ts
 * const tag = signer.sign(new TextEncoder().encode('payload')); // ≥ 10 bytes, the same for the same input
 * ```
 */
export interface ReplyTokenSigner {
  /** The MAC of `data` under the installation's key: at least 10 bytes, deterministic. */
  sign(data: Uint8Array): Uint8Array;
}
