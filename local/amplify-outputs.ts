/** amplify_outputs.json in Amplify's format, so `Amplify.configure(outputs)` just works. */
import { writeFileSync } from 'node:fs';
import { AuthMode, defaultAuthMode, localAuthModes } from '../api/manifest.ts';

export interface AmplifyOutputs {
  readonly version: '1.3';
  readonly data: {
    readonly url: string;
    readonly aws_region: string;
    readonly api_key: string;
    readonly default_authorization_type: AuthMode;
    readonly authorization_types: AuthMode[];
  };
}

export function amplifyOutputs(args: { graphqlUrl: string; region: string; apiKey: string }): AmplifyOutputs {
  return {
    version: '1.3',
    data: {
      url: args.graphqlUrl,
      aws_region: args.region,
      api_key: args.apiKey,
      default_authorization_type: defaultAuthMode,
      authorization_types: localAuthModes.filter((mode) => mode !== defaultAuthMode),
    },
  };
}

export function writeAmplifyOutputs(file: string, outputs: AmplifyOutputs): void {
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}

