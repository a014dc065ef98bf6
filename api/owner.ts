/**
 * Who owns an image. A Cognito user-pool caller owns what it uploads (its
 * `sub`); every API-key caller shares one space, as before owners existed.
 * Bundled into APPSYNC_JS resolvers too, so keep this plain data and functions.
 */

/** Owner of images uploaded with the API key; a Cognito `sub` is a UUID, so never this. */
export const sharedOwner = 'API_KEY';

/** The part of `ctx.identity` that names a user-pool caller. */
export interface OwnerIdentity {
  readonly sub?: string | null;
}

/** The caller's owner key: its user-pool `sub`, else the shared (API-key) space. */
export function ownerOf(identity: OwnerIdentity | null | undefined): string {
  if (identity && typeof identity.sub === 'string' && identity.sub !== '') return identity.sub;
  return sharedOwner;
}

/** An item's owner; images stored before owners existed belong to the shared space. */
export function ownerOfItem(item: { readonly owner?: string | null }): string {
  return item.owner ?? sharedOwner;
}
