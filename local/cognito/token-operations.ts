/**
 * The operations of a signed-in user's tokens: GetTokensFromRefreshToken (what Amplify's refresh calls), GetUser,
 * GlobalSignOut and RevokeToken (what its signOut calls), over the sessions of sessions.ts.
 */
import type { Operation, OperationContext } from './operation-context.ts';
import { stringField } from './request-fields.ts';
import { sha256 } from './sessions.ts';

export function tokenOperations(context: OperationContext) {
  const { users, checkClient } = context;
  const { refresh, revoke, accessTokenUser } = context.sessions;

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
      const token = stringField(body, 'Token', 'token', 8192);
      const user = users.byId(token.split('.', 1)[0] ?? '');
      const hash = sha256(token);
      // RFC 7009, which Cognito's revocation follows: an unknown token is answered as revoked.
      if (user) revoke(user, (session) => session.tokenHash === hash);
      return {};
    },
  } satisfies Record<string, Operation>;
}
