/**
 * Turns the stack's outputs (`cdk deploy --outputs-file`) into
 * amplify_outputs.json, Amplify Gen 2's client config, so the example client
 * and `Amplify.configure(outputs)` work against the deployed stack.
 */
import { amplifyAuthOutputs, amplifyDataOutputs, type AmplifyAuthOutputs, type AmplifyDataOutputs } from '../api/amplify-outputs.ts';
import { deployedAuthModes } from './api-auth.ts';
import { StackOutput, type StackOutputName } from './stack-outputs.ts';

export interface DeployedAmplifyOutputs {
  readonly version: '1.3';
  readonly auth: AmplifyAuthOutputs;
  readonly data: AmplifyDataOutputs;
}

/** `cdk deploy --outputs-file` JSON: stack name → output name → value. */
export type CdkOutputsFile = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Picks the stack's outputs: the named stack, or the only one in the file. */
export function stackOutputsFrom(file: CdkOutputsFile, stackName?: string): Readonly<Record<string, string>> {
  if (stackName !== undefined) {
    const outputs = file[stackName];
    if (!outputs) throw new Error(`outputs file has no stack ${stackName}; it has ${Object.keys(file).join(', ') || 'none'}`);
    return outputs;
  }
  const stacks = Object.keys(file);
  if (stacks.length !== 1) throw new Error(`outputs file has ${stacks.length} stacks (${stacks.join(', ')}); name one`);
  return file[stacks[0] as string] as Readonly<Record<string, string>>;
}

function required(outputs: Readonly<Record<string, string>>, name: StackOutputName): string {
  const value = outputs[name];
  if (typeof value !== 'string' || value === '') throw new Error(`stack output ${name} is missing`);
  return value;
}

export function toAmplifyOutputs(outputs: Readonly<Record<string, string>>): DeployedAmplifyOutputs {
  const region = required(outputs, StackOutput.region);
  return {
    version: '1.3',
    auth: amplifyAuthOutputs({ region, userPoolId: required(outputs, StackOutput.userPoolId), clientId: required(outputs, StackOutput.userPoolClientId) }),
    data: amplifyDataOutputs({
      graphqlUrl: required(outputs, StackOutput.graphqlUrl),
      region,
      apiKey: required(outputs, StackOutput.apiKey),
      authModes: deployedAuthModes,
    }),
  };
}
