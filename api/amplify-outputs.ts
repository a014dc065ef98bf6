/**
 * The `data` and `auth` sections of amplify_outputs.json (Amplify Gen 2's client config),
 * built the same way for the local stack and a deployed one, so that
 * `Amplify.configure(outputs)` works against either.
 */
import { defaultAuthMode, type AuthMode } from './manifest.ts';
import { userPoolAutoVerify, userPoolPasswordPolicy, userPoolSignInAliases, userPoolStandardAttributes } from './user-pool-settings.ts';

export interface AmplifyDataOutputs {
  readonly url: string;
  readonly aws_region: string;
  readonly api_key: string;
  readonly default_authorization_type: AuthMode;
  readonly authorization_types: AuthMode[];
}

export interface AmplifyDataOutputsArgs {
  readonly graphqlUrl: string;
  readonly region: string;
  readonly apiKey: string;
  /** Every mode the API has; the default one is listed apart, as Amplify expects. */
  readonly authModes: readonly AuthMode[];
}

export const amplifyDataOutputs = (args: AmplifyDataOutputsArgs): AmplifyDataOutputs => ({
  url: args.graphqlUrl,
  aws_region: args.region,
  api_key: args.apiKey,
  default_authorization_type: defaultAuthMode,
  authorization_types: args.authModes.filter((mode) => mode !== defaultAuthMode),
});

/** The `auth` section: the user pool, its app client and sign-in settings (api/user-pool-settings.ts), for the local pool and a deployed one alike. */
export interface AmplifyAuthOutputs {
  readonly aws_region: string;
  readonly user_pool_id: string;
  readonly user_pool_client_id: string;
  readonly username_attributes: (keyof typeof userPoolSignInAliases)[];
  readonly standard_required_attributes: (keyof typeof userPoolStandardAttributes)[];
  readonly user_verification_types: (keyof typeof userPoolAutoVerify)[];
  readonly password_policy: {
    readonly min_length: number;
    readonly require_lowercase: boolean;
    readonly require_uppercase: boolean;
    readonly require_numbers: boolean;
    readonly require_symbols: boolean;
  };
}

/** The keys of `settings` whose entry `holds`, in declaration order: CDK's flags as Amplify's lists. */
const keysWhere = <T extends object>(settings: T, holds: (entry: T[keyof T]) => boolean): (keyof T)[] =>
  (Object.keys(settings) as (keyof T)[]).filter((key) => holds(settings[key]));

export const amplifyAuthOutputs = (args: { region: string; userPoolId: string; clientId: string }): AmplifyAuthOutputs => ({
  aws_region: args.region,
  user_pool_id: args.userPoolId,
  user_pool_client_id: args.clientId,
  // The pool's sign-in aliases, required attributes and verified ones (api/user-pool-settings.ts; Amplify names email as CDK does).
  username_attributes: keysWhere(userPoolSignInAliases, (enabled) => enabled),
  standard_required_attributes: keysWhere(userPoolStandardAttributes, (attribute) => attribute.required),
  user_verification_types: keysWhere(userPoolAutoVerify, (enabled) => enabled),
  password_policy: {
    min_length: userPoolPasswordPolicy.minLength,
    require_lowercase: userPoolPasswordPolicy.requireLowercase,
    require_uppercase: userPoolPasswordPolicy.requireUppercase,
    require_numbers: userPoolPasswordPolicy.requireDigits,
    require_symbols: userPoolPasswordPolicy.requireSymbols,
  },
});
