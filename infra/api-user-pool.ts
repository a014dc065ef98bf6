/** The Cognito user pool whose users call the API (AMAZON_COGNITO_USER_POOLS mode). */
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { AccountRecovery, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import {
  userPoolClientAuthFlows,
  userPoolClientPreventUserExistenceErrors,
  userPoolAutoVerify,
  userPoolClientTokenValidity,
  userPoolPasswordPolicy,
  userPoolSignInAliases,
  userPoolStandardAttributes,
} from '../api/user-pool-settings.ts';

export interface ApiUserPoolProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Let anyone sign up with an email address.
   * @default true
   */
  readonly selfSignUpEnabled?: boolean;
}

export class ApiUserPool extends Construct {
  public readonly userPool: UserPool;
  /** Public client (no secret) for browsers and the example CLI, SRP sign-in as Amplify does it; no OAuth. */
  public readonly client: UserPoolClient;

  public constructor(scope: Construct, id: string, props: ApiUserPoolProps = {}) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: props.selfSignUpEnabled ?? true,
      signInAliases: { ...userPoolSignInAliases },
      // Case-sensitive sign-in (userPoolSignInCaseSensitive) is left to CDK's default, which emits nothing and is
      // Cognito's true: UsernameConfiguration is create-only, and a deployed pool's update that adds it fails
      // ("Updates are not allowed for property - UsernameConfiguration") and rolls the stack back.
      autoVerify: { ...userPoolAutoVerify },
      standardAttributes: { email: { ...userPoolStandardAttributes.email } },
      // The local pool checks passwords against the same declaration (api/user-pool-settings.ts).
      passwordPolicy: { ...userPoolPasswordPolicy, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { ...userPoolClientAuthFlows },
      // SRP sign-in needs no OAuth; CDK's default would enable the implicit and code grants with
      // https://example.com as the callback. No client uses the hosted UI, and the pool has no domain.
      disableOAuth: true,
      preventUserExistenceErrors: userPoolClientPreventUserExistenceErrors,
      // Stated rather than left to Cognito's defaults, so the local pool (which reads the same declaration) issues the same.
      idTokenValidity: Duration.minutes(userPoolClientTokenValidity.idTokenMinutes),
      accessTokenValidity: Duration.minutes(userPoolClientTokenValidity.accessTokenMinutes),
      refreshTokenValidity: Duration.days(userPoolClientTokenValidity.refreshTokenDays),
      authSessionValidity: Duration.minutes(userPoolClientTokenValidity.authSessionMinutes),
    });
  }
}
