/** What a bench client process is told about the stack it measures (read back by bench/context.ts), and the stack's settings. */
import { ApiRateLimitSetting, WafRateLimits } from '../../api/rate-limit.ts';
import type { RunningStack } from '../../local/child-process-stack.ts';

/**
 * The settings a bench stack starts with: the API's rate limit per client address (api/rate-limit.ts) raised to the
 * most AWS WAF takes, since every request of the bench (thousands of requestUpload, search pages, fan-out connects)
 * comes from 127.0.0.1, where the default would block it; the rule is still applied, as it is on AWS.
 */
export const benchStackSettings: Readonly<Record<string, string>> = { [ApiRateLimitSetting.offlineVariables.limit]: String(WafRateLimits.maxLimit) };

/** Says so in the bench's output. */
export const benchStackSettingsLine = (): string =>
  `bench stack: ${ApiRateLimitSetting.offlineVariables.limit}=${WafRateLimits.maxLimit} (the API's per-address rate limit raised to WAF's most: every bench request comes from 127.0.0.1; default ${ApiRateLimitSetting.defaults.limit} per ${ApiRateLimitSetting.defaults.windowSeconds} s)`;

export function benchEnvFor(stack: RunningStack): NodeJS.ProcessEnv {
  return {
    NODE_EXTRA_CA_CERTS: stack.caPath,
    BENCH_OUTPUTS: stack.outputsPath,
    BENCH_STATE_DIR: stack.stateDir,
    BENCH_STACK_PID: String(stack.process.pid),
    BENCH_REKOGNITION_ENDPOINT: stack.endpoints.rekognition,
    BENCH_DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
    BENCH_TABLE: stack.tableName,
  };
}
