/**
 * `npm start` as a program starts it (local/child-process-stack.ts, as the
 * tests and the bench start theirs), with resolvers that Query an index their
 * data source's role was not granted. One stack start serves three checks
 * (each start costs seconds of CPU: the resolver checks, the vision models):
 *
 * 1. The stack serves, and the local DynamoDB refuses the data source's call
 *    as DynamoDB refuses AppSync's assumed role on AWS, because the role is
 *    derived from the resolvers' code (api/data-source-access.ts) and the
 *    manifest's declared indexes, not the administrator's. The stack runs
 *    with LABELCAST_RESOLVERS_DIR pointing at a copy of resolvers/ in which:
 *    - Query.images' first step (pipeline/queryImagesByOwner.ts) Queries
 *      byStatus and hands ctx.error to the client as it is (util.error(message,
 *      type)): the client sees what AppSync gives a resolver;
 *    - Query.labels Queries byStatus (keyed as that index is) with its own
 *      response handler: the client sees the project's short error, no DynamoDB
 *      or IAM text;
 *    - Query.image is unchanged: what the role allows is still served.
 *    GraphQL over HTTPS with the API key: the clients' generated documents, as
 *    a client sends them.
 * 2. The stack keeps no esbuild service process: the copied resolvers, bundled
 *    one by one at start, are done with once loaded (local/stack.ts).
 * 3. Then the stack stops when the program that started it is killed (SIGKILL)
 *    without stopping it: a killed test run must not leave stacks behind
 *    holding their ports and hundreds of MiB each. The resolvers play no part
 *    in it (local/main.ts watches the IPC channel to its parent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { ImageDocument, ImagesDocument, LabelsDocument, type TypedDocumentString } from '../../client-example/graphql/index.ts';
import type { AmplifyOutputs } from '../../local/amplify-outputs.ts';
import { readReadyFile, type StackReady } from '../../local/ready-file.ts';
import { post } from '../local-appsync-server/https-client.ts';
import { childModule, type ChildModule } from '../support/child-module.ts';
import { copyOfResolvers, type ResolversCopy } from '../support/resolvers-copy.ts';
import { esbuildServices, listsChildProcesses } from '../support/esbuild-services.ts';
import { waitFor } from '../support/wait-for.ts';

const byStatus = 'ImagesTableLayout.byStatusIndex.indexName';

interface GraphqlAnswer<Data> {
  readonly data?: Data | null;
  readonly errors?: { readonly message: string; readonly errorType?: string }[];
}

/** Whether a process with this pid still runs (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A program (plain node, importing local/child-process-stack.ts's bundle: ../support/child-module.ts) that starts a
 * stack with it on `stateDir`, prints its pid once it serves, and waits.
 */
function startingProgram(stackModule: ChildModule, stateDir: string, env: NodeJS.ProcessEnv): { parent: ChildProcess; printed: () => string } {
  const code = `
    const { startStackProcess } = await import(${JSON.stringify(stackModule.url)});
    const stack = await startStackProcess({ stateDir: ${JSON.stringify(stateDir)} });
    console.log('stack pid ' + stack.process.pid);
    setInterval(() => {}, 60_000);
  `;
  const parent = spawn(process.execPath, [...stackModule.execArgv, '--input-type=module', '-e', code], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  parent.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  parent.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  return { parent, printed: () => printed };
}

describe('npm start from a program, with a resolver outside its data source role', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-role-stack-'));
  let resolvers: ResolversCopy;
  let parent: ChildProcess | undefined;
  let stackPid: number | undefined;
  let stack: StackReady;
  let graphql: <Data, Variables>(
    document: TypedDocumentString<Data, Variables>,
    variables: Variables,
  ) => Promise<{ readonly text: string; readonly answer: GraphqlAnswer<Data> }>;

  // Starts the stack's process (bundling the resolvers, loading the vision models): up to a minute on 2 shared cores.
  beforeAll(async () => {
    resolvers = copyOfResolvers();
    // Query.images' first step Queries byOwner; pointed at byStatus, and passing ctx.error through, it shows AppSync's refusal.
    resolvers.edit('pipeline/queryImagesByOwner.ts', 'index: index.indexName,', `index: ${byStatus},`);
    resolvers.edit(
      'pipeline/queryImagesByOwner.ts',
      "if (ctx.error) failOnPageError(ctx.error, ctx.stash.nextToken, 'list the images');",
      'if (ctx.error) util.error(ctx.error.message, ctx.error.type);',
    );
    // A Query byStatus could serve (its key names), so only the role refuses it.
    resolvers.edit('Query.labels.ts', "operation: 'Query',", `operation: 'Query',\n    index: ${byStatus},`);
    resolvers.edit(
      'Query.labels.ts',
      "expressionNames: { '#pk': ImagesTableLayout.partitionKey, '#sk': ImagesTableLayout.sortKey },",
      "expressionNames: { '#pk': ImagesTableLayout.byStatusIndex.partitionKey, '#sk': ImagesTableLayout.byStatusIndex.sortKey },",
    );
    const program = startingProgram(await childModule('local/child-process-stack.ts'), stateDir, { ...process.env, LABELCAST_RESOLVERS_DIR: resolvers.dir });
    parent = program.parent;
    await waitFor(() => /stack pid \d+/.test(program.printed()) || parent?.exitCode !== null);
    const pid = Number(/stack pid (\d+)/.exec(program.printed())?.[1]);
    if (!Number.isInteger(pid)) throw new Error(`the program did not start a stack:\n${program.printed()}`);
    stackPid = pid;
    const ready = readReadyFile(stateDir);
    if (ready?.pid !== pid) throw new Error(`no ready file of stack ${pid} in ${stateDir}`);
    stack = ready;
    const { data } = JSON.parse(readFileSync(ready.outputsPath, 'utf8')) as AmplifyOutputs;
    const ca = readFileSync(ready.caPath, 'utf8');
    graphql = async <Data, Variables>(document: TypedDocumentString<Data, Variables>, variables: Variables) => {
      const body = JSON.stringify({ query: document.toString(), variables });
      const response = await post(ready.graphqlUrl, ca, body, { 'content-type': 'application/json', 'x-api-key': data.api_key });
      return { text: response.body, answer: response.json() as GraphqlAnswer<Data> };
    };
  }, 180_000);

  afterAll(async () => {
    // Stopped by the last test; when it did not run or failed, the same way, then for good.
    if (parent?.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    if (stackPid !== undefined) {
      const deadline = Date.now() + 30_000;
      await waitFor(() => !isRunning(stackPid!) || Date.now() > deadline);
      if (isRunning(stackPid)) process.kill(stackPid, 'SIGKILL');
    }
    rmSync(stateDir, { recursive: true, force: true });
    resolvers?.remove();
  }, 60_000);

  it('refuses the Query with AppSync\'s DynamoDB error: the role, action and index ARN in IAM\'s words', async () => {
    // Act
    const { answer } = await graphql(ImagesDocument, {});

    // Assess
    const index = `arn:aws:dynamodb:${stack.region}:000000000000:table/${stack.tableName}/index/byStatus`;
    expect(answer.data).toBeNull();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]?.errorType).toBe('DynamoDB:DynamoDbException');
    expect(answer.errors?.[0]?.message).toMatch(
      new RegExp(
        '^User: arn:aws:sts::000000000000:assumed-role/labelcast-imagesTable-data-source-role/APPSYNC_ASSUME_ROLE ' +
          `is not authorized to perform: dynamodb:Query on resource: ${index.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ` +
          'because no identity-based policy allows the dynamodb:Query action \\(Service: DynamoDb, Status Code: 400, Request ID: \\S+\\)$',
      ),
    );
  });

  it('shows the client only the resolver\'s own short error when the resolver handles ctx.error', async () => {
    // Act
    const { answer, text } = await graphql(LabelsDocument, { prefix: 'c' });

    // Assess
    expect(answer.errors?.map(({ errorType, message }) => ({ errorType, message }))).toEqual([{ errorType: 'InternalFailure', message: 'Could not list the labels' }]);
    expect(text).not.toMatch(/arn:|DynamoDb|dynamodb:|assumed-role/);
  });

  it('still serves what the role allows', async () => {
    // Act
    const { answer } = await graphql(ImageDocument, { id: 'never-uploaded' });

    // Assess
    expect(answer).toEqual({ data: { image: null } });
  });

  it.runIf(listsChildProcesses)('keeps no esbuild service running: the resolvers it bundled one by one at start are done', async () => {
    // Assess: LABELCAST_RESOLVERS_DIR's files are bundled with buildSync, under esbuild's worker thread and its
    // service, which the start ends after loading them; the service's exit is waited for, as it may take a moment.
    for (let look = 0; look < 50 && esbuildServices(stackPid!).length > 0; look += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(esbuildServices(stackPid!)).toEqual([]);
  });

  // Last: it ends the stack the tests above use.
  it('stops when the program that started it is killed with SIGKILL', { timeout: 90_000 }, async () => {
    // Prepare
    const pid = stackPid!;
    expect(isRunning(pid)).toBe(true);

    // Act
    parent!.kill('SIGKILL');

    // Assess: the stack ends by itself
    await waitFor(() => !isRunning(pid));
    expect(isRunning(pid)).toBe(false);
  });
});
