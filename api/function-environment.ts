/**
 * A Lambda function's configured environment (CreateFunction's `Environment.Variables`) and Lambda's limit on it,
 * derived once for the deployed functions (infra/manifest-function.ts) and the offline ones (local/stack.ts, whose
 * runtime refuses a function over the limit as CreateFunction does: local/lambda/runtime.ts).
 *
 * Lambda stores the variables as one compact JSON object and refuses it past 4,096 bytes of UTF-8: key names,
 * values, quotes, colons, commas and braces all count (Lambda Developer Guide, "Troubleshoot deployment issues":
 * `{"BUCKET":"amzn-s3-demo-bucket","KEY":"file.txt"}` is what is measured). Its refusal is a 400
 * InvalidParameterValueException naming the string it measured. Lambda's own variables (AWS_REGION, the role's
 * credentials, …) are set by the runtime, not configured, and do not count.
 */
import { environmentFor, type EnvironmentSource } from './access.ts';
import { serviceNameOf, tuningEnvironmentOf, type LambdaFunctionName } from './manifest.ts';

/** Lambda's most bytes of a function's configured environment, measured as `environmentBytes` measures it. */
export const maxEnvironmentBytes = 4096;

/**
 * Every variable a function is configured with: source maps for its stack traces, its service name in logs
 * (Powertools), its tuning (api/manifest.ts), then its declared environment (api/access.ts) from the values given.
 */
export function configuredEnvironment(name: LambdaFunctionName, values: Readonly<Partial<Record<EnvironmentSource, string>>>): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: serviceNameOf(name),
    ...tuningEnvironmentOf(name),
    ...environmentFor(name, values),
  };
}

/** What Lambda measures of `variables`: the compact JSON it stores, and its UTF-8 bytes. */
export function measuredEnvironment(variables: Readonly<Record<string, string>>): { readonly text: string; readonly bytes: number } {
  const text = JSON.stringify(variables);
  return { text, bytes: Buffer.byteLength(text, 'utf8') };
}

/**
 * Lambda's refusal of `variables` (the message of its InvalidParameterValueException), or undefined when they fit.
 * `knownAtDeployOnly` says which values are not known yet (a CDK token): they are measured as empty strings, so what
 * is measured is the least the deployed variables take, and a refusal is certain.
 */
export function environmentLimitRefusal(
  variables: Readonly<Record<string, string>>,
  knownAtDeployOnly: (value: string) => boolean = () => false,
): { readonly message: string; readonly bytes: number; readonly uncounted: readonly string[] } | undefined {
  const uncounted = Object.keys(variables).filter((key) => knownAtDeployOnly(variables[key]));
  const counted = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, uncounted.includes(key) ? '' : value]));
  const { text, bytes } = measuredEnvironment(counted);
  if (bytes <= maxEnvironmentBytes) return undefined;
  return {
    message: `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${text}`,
    bytes,
    uncounted,
  };
}
