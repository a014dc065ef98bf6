/** The API's authorization modes: the manifest's names mapped onto CDK's. */
import { Expiration } from 'aws-cdk-lib/core';
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
  /** When the API key expires: a fixed date (infra/api-key-expiry.ts), so every synth is the same. */
  readonly apiKeyExpires: Date;
}

function authorizationMode(mode: AuthMode, args: ApiAuthorizationArgs): AuthorizationMode {
  switch (mode) {
    case AuthMode.API_KEY:
      return {
        authorizationType: authorizationTypeFor[mode],
        apiKeyConfig: {
          description: 'labelcast client key',
          expires: Expiration.atDate(args.apiKeyExpires),
        },
      };
    case AuthMode.USER_POOL:
      return { authorizationType: authorizationTypeFor[mode], userPoolConfig: { userPool: args.userPool } };
    case AuthMode.IAM:
      return { authorizationType: authorizationTypeFor[mode] };
  }
}

export function apiAuthorizationConfig(args: ApiAuthorizationArgs): AuthorizationConfig {
  if (Number.isNaN(args.apiKeyExpires.getTime())) throw new Error('apiKeyExpires is not a valid date');
  const [defaultMode, ...additionalModes] = deployedAuthModes.map((mode) => authorizationMode(mode, args));
  if (!defaultMode) throw new Error('no authorization modes');
  return { defaultAuthorization: defaultMode, additionalAuthorizationModes: additionalModes };
}
