/** What a bench client process is told about the stack it measures (read back by bench/context.ts). */
import type { RunningStack } from '../../local/child-process-stack.ts';

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
