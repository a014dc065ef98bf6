/** The API's authorization modes: the manifest's names mapped onto CDK's. */
import { Duration, Expiration } from 'aws-cdk-lib';
import { AuthorizationType, type AuthorizationConfig, type AuthorizationMode } from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { AuthMode, defaultAuthMode } from '../api/manifest.ts';

/** Every mode the deployed API has, default first: API key, IAM (the labeler), Cognito user pools. */
export const deployedAuthModes: readonly AuthMode[] = [
  defaultAuthMode,
  ...Object.values(AuthMode).filter((mode) => mode !== defaultAuthMode),
];

const authorizationTypeFor: Record<AuthMode, AuthorizationType> = {
  [AuthMode.API_KEY]: AuthorizationType.API_KEY,
  [AuthMode.IAM]: AuthorizationType.IAM,
  [AuthMode.USER_POOL]: AuthorizationType.USER_POOL,
};

export interface ApiAuthorizationArgs {
  readonly userPool: IUserPool;
  /** Days until the API key expires; AppSync allows 1 to 365. */
  readonly apiKeyExpiryDays: number;
}

function authorizationMode(mode: AuthMode, args: ApiAuthorizationArgs): AuthorizationMode {
  switch (mode) {
    case AuthMode.API_KEY:
      return {
        authorizationType: authorizationTypeFor[mode],
        apiKeyConfig: {
          description: 'labelcast client key',
          expires: Expiration.after(Duration.days(args.apiKeyExpiryDays)),
        },
      };
    case AuthMode.USER_POOL:
      return { authorizationType: authorizationTypeFor[mode], userPoolConfig: { userPool: args.userPool } };
    case AuthMode.IAM:
      return { authorizationType: authorizationTypeFor[mode] };
  }
}

export function apiAuthorizationConfig(args: ApiAuthorizationArgs): AuthorizationConfig {
  if (!Number.isInteger(args.apiKeyExpiryDays) || args.apiKeyExpiryDays < 1 || args.apiKeyExpiryDays > 365) {
    throw new Error(`apiKeyExpiryDays must be 1 to 365, got ${args.apiKeyExpiryDays}`);
  }
  const [defaultMode, ...additionalModes] = deployedAuthModes.map((mode) => authorizationMode(mode, args));
  if (!defaultMode) throw new Error('no authorization modes');
  return { defaultAuthorization: defaultMode, additionalAuthorizationModes: additionalModes };
}
