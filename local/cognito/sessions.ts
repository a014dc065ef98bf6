/**
 * Users' sign-in sessions: a refresh token per sign-in (`<userId>.<random>`, only its SHA-256 kept, in the user's
 * file), the ID and access tokens issued from it (sharing its `origin_jti`), their refresh, revocation
 * (RevokeToken one, GlobalSignOut all) and the check Cognito's own API makes of an access token. Lifetimes are the
 * app client's (api/user-pool-settings.ts); a user keeps its newest 100 sessions (a local bound).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { userPoolClientTokenValidity } from '../../api/user-pool-settings.ts';
import { CognitoApiError } from './errors.ts';
import { stringField, type Json } from './request-fields.ts';
import { sha256Hex } from './srp.ts';
import type { LocalUserPool } from './user-pool.ts';
import type { PoolUser, UserDirectory, UserSession } from './users.ts';

/** The app client's refresh token validity (api/user-pool-settings.ts). */
export const refreshTokenValidityMs = userPoolClientTokenValidity.refreshTokenDays * 24 * 60 * 60 * 1000;
/** The app client's ID and access token validity, one setting offline (mintTokens issues both with one lifetime). */
const tokenValiditySeconds = userPoolClientTokenValidity.idTokenMinutes * 60;
const maxSessionsPerUser = 100;

export interface SessionsOptions {
  readonly pool: LocalUserPool;
  readonly users: UserDirectory;
  readonly now: () => number;
}

export function userSessions({ pool, users, now }: SessionsOptions) {
  const issueTokens = (user: PoolUser, session: Pick<UserSession, 'originJti' | 'authTime'>) => {
    const minted = pool.mintTokens({
      username: user.userId,
      email: user.email,
      sub: user.userId,
      originJti: session.originJti,
      authTime: session.authTime,
      expiresInSeconds: tokenValiditySeconds,
    });
    return { AccessToken: minted.accessToken, IdToken: minted.idToken, ExpiresIn: minted.expiresIn, TokenType: 'Bearer' };
  };

  /** A new sign-in session: a refresh token (`<userId>.<random>`, only its hash kept) and the tokens issued with it. */
  const startSession = (user: PoolUser) => {
    const refreshToken = `${user.userId}.${randomBytes(32).toString('base64url')}`;
    const session: UserSession = { tokenHash: sha256Hex(refreshToken), originJti: randomUUID(), authTime: Math.floor(now() / 1000), expiresAt: now() + refreshTokenValidityMs };
    // Sessions that ended (revoked or expired) are kept for their message until newer ones push them out.
    const sessions = [...user.sessions, session].slice(-maxSessionsPerUser);
    users.save({ ...user, sessions });
    return { ...issueTokens(user, session), RefreshToken: refreshToken };
  };

  /** The user a refresh token (`<userId>.<random>`) names, if any, and the hash its session keeps. */
  const refreshTokenOwner = (token: string) => ({ user: users.byId(token.split('.', 1)[0] ?? ''), tokenHash: sha256Hex(token) });

  /** The live session of a refresh token, or Cognito's refusal. */
  const refreshSession = (token: string): { user: PoolUser; session: UserSession } => {
    const { user, tokenHash } = refreshTokenOwner(token);
    const session = user?.sessions.find((candidate) => candidate.tokenHash === tokenHash);
    if (!user || !session) throw new CognitoApiError('NotAuthorizedException', 'Invalid Refresh Token');
    if (session.revoked) throw new CognitoApiError('NotAuthorizedException', 'Refresh Token has been revoked');
    if (session.expiresAt <= now()) throw new CognitoApiError('NotAuthorizedException', 'Refresh Token has expired');
    return { user, session };
  };

  const refresh = (token: string) => {
    const { user, session } = refreshSession(token);
    return { ChallengeParameters: {}, AuthenticationResult: issueTokens(user, session) };
  };

  const revoke = (user: PoolUser, which: (session: UserSession) => boolean) => {
    users.save({ ...user, sessions: user.sessions.map((session) => (which(session) ? { ...session, revoked: true } : session)) });
  };

  /**
   * RevokeToken: ends a refresh token's session. As RFC 7009, which Cognito's revocation follows, an unknown token
   * is no error. The user's file is written only when a live session's token matched: a made-up `<userId>.junk`
   * rewrites nothing.
   */
  const revokeRefreshToken = (token: string) => {
    const { user, tokenHash } = refreshTokenOwner(token);
    const live = (session: UserSession) => session.tokenHash === tokenHash && !session.revoked && session.expiresAt > now();
    if (user?.sessions.some(live)) revoke(user, live);
  };

  /** The user of a live access token: Cognito refuses one whose session was revoked (GlobalSignOut, RevokeToken). */
  const accessTokenUser = (body: Json): PoolUser => {
    const token = stringField(body, 'AccessToken', 'accessToken', 8192);
    const verified = pool.verify(token, new Date(now()));
    if (!verified.ok) throw new CognitoApiError('NotAuthorizedException', verified.reason === 'expired' ? 'Access Token has expired' : 'Invalid Access Token');
    if (verified.claims.token_use !== 'access') throw new CognitoApiError('NotAuthorizedException', 'Invalid Access Token');
    const user = users.byId(verified.claims.sub);
    if (!user) throw new CognitoApiError('UserNotFoundException', 'User does not exist.');
    const session = user.sessions.find((candidate) => candidate.originJti === verified.claims.origin_jti);
    if (!session || session.revoked) throw new CognitoApiError('NotAuthorizedException', 'Access Token has been revoked');
    return user;
  };

  return { startSession, refresh, revoke, revokeRefreshToken, accessTokenUser };
}

export type UserSessions = ReturnType<typeof userSessions>;
