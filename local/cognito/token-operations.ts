/**
 * The operations of a signed-in user's tokens: GetTokensFromRefreshToken (what Amplify's refresh calls), GetUser,
 * GlobalSignOut and RevokeToken (what its signOut calls), over the sessions of sessions.ts.
 */
import type { Operation, OperationContext } from './operation-context.ts';
import { stringField } from './request-fields.ts';

export function tokenOperations(context: OperationContext) {
  const { checkClient } = context;
  const { refresh, revoke, revokeRefreshToken, accessTokenUser } = context.sessions;

  return {
    GetTokensFromRefreshToken(body) {
      checkClient(body);
      const { AuthenticationResult } = refresh(stringField(body, 'RefreshToken', 'refreshToken', 8192));
      return { AuthenticationResult };
    },

    GetUser(body) {
      const user = accessTokenUser(body);
      return {
        Username: user.userId,
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'sub', Value: user.userId },
        ],
      };
    },

    GlobalSignOut(body) {
      const user = accessTokenUser(body);
      revoke(user, () => true);
      return {};
    },

    RevokeToken(body) {
      checkClient(body);
      // An unknown token is answered as revoked (sessions.ts).
      revokeRefreshToken(stringField(body, 'Token', 'token', 8192));
      return {};
    },
  } satisfies Record<string, Operation>;
}
