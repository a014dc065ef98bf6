/** amplify_outputs.json for the local stack, so `Amplify.configure(outputs)` just works. */
import { writeFileSync } from 'node:fs';
import { amplifyDataOutputs, type AmplifyDataOutputs } from '../api/amplify-outputs.ts';
import { localAuthModes } from '../api/manifest.ts';

export interface AmplifyOutputs {
  readonly version: '1.3';
  readonly data: AmplifyDataOutputs;
}

export function amplifyOutputs(args: { graphqlUrl: string; region: string; apiKey: string }): AmplifyOutputs {
  return { version: '1.3', data: amplifyDataOutputs({ ...args, authModes: localAuthModes }) };
}

export function writeAmplifyOutputs(file: string, outputs: AmplifyOutputs): void {
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}
