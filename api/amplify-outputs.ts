/**
 * The `data` section of amplify_outputs.json (Amplify Gen 2's client config),
 * built the same way for the local stack and a deployed one, so that
 * `Amplify.configure(outputs)` works against either.
 */
import { defaultAuthMode, type AuthMode } from './manifest.ts';

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
