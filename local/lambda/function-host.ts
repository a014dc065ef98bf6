/**
 * Child-process entry that hosts one Lambda function, as Lambda runs each
 * function in its own process with its own environment. It imports the
 * handler once (cold start) and answers invocations sent over IPC.
 */
import { pathToFileURL } from 'node:url';
import type { HostMessage, InvokeMessage } from './host-protocol.ts';
import { serializeResult } from './response-payload.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [entry, functionName] = process.argv.slice(2);
if (!entry || !functionName || !process.send) {
  throw new Error('function-host must be forked with an entry path and a function name');
}

const handlerPromise: Promise<Handler> = import(pathToFileURL(entry).href).then((module: { handler?: Handler }) => {
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
});

const send = (message: HostMessage) => process.send?.(message);

function lambdaContext(requestId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

process.on('message', (message: InvokeMessage) => {
  void (async () => {
    try {
      const handler = await handlerPromise;
      const result = await handler(message.event, lambdaContext(message.requestId, message.timeoutMs));
      send({ requestId: message.requestId, ok: true, payload: serializeResult(result) });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      // As Lambda's Node.js runtime does, the error goes to the function's log (stderr is its log file) before it is reported.
      const record = { errorType: err.name, errorMessage: err.message, stack: (err.stack ?? '').split('\n') };
      console.error(`${new Date().toISOString()}\t${message.requestId}\tERROR\tInvoke Error \t${JSON.stringify(record)}`);
      send({ requestId: message.requestId, ok: false, errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') });
    }
  })();
});

// The stack that forked us is gone (stopped, or killed with SIGKILL): Lambda would
// freeze the sandbox, so stop at once instead of finishing work no one will receive.
process.on('disconnect', () => process.exit(0));
