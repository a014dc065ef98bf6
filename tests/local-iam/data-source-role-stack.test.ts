/**
 * `npm start` with resolvers that Query an index their data source's role was
 * not granted: the stack serves, and the local DynamoDB refuses the data
 * source's call as DynamoDB refuses AppSync's assumed role on AWS, because the
 * role is derived from the resolvers' code (api/data-source-access.ts) and the
 * manifest's declared indexes, not the administrator's. Runs `local/main.ts`
 * in a child process as `npm start` does, with LABELCAST_RESOLVERS_DIR
 * pointing at a copy of resolvers/ in which:
 *
 * - Query.images' first step (pipeline/queryImagesByOwner.ts) Queries
 *   byStatus and hands ctx.error to the client as it is (util.error(message,
 *   type)): the client sees what AppSync gives a resolver;
 * - Query.labels Queries byStatus (keyed as that index is) with its own
 *   response handler: the client sees the project's short error, no DynamoDB
 *   or IAM text;
 * - Query.image is unchanged: what the role allows is still served.
 *
 * GraphQL over HTTPS with the API key: the clients' generated documents, as a
 * client sends them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDocument, ImagesDocument, LabelsDocument, type TypedDocumentString } from '../../client-example/graphql/index.ts';
import type { AmplifyOutputs } from '../../local/amplify-outputs.ts';
import { startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';
import { post } from '../local-appsync-server/https-client.ts';
import { copyOfResolvers, type ResolversCopy } from '../support/resolvers-copy.ts';

const byStatus = 'ImagesTableLayout.byStatusIndex.indexName';

interface GraphqlAnswer<Data> {
  readonly data?: Data | null;
  readonly errors?: { readonly message: string; readonly errorType?: string }[];
}

describe('npm start: a resolver outside its data source role', () => {
  let resolvers: ResolversCopy;
  let stack: RunningStack | undefined;
  let graphql: <Data, Variables>(
    document: TypedDocumentString<Data, Variables>,
    variables: Variables,
  ) => Promise<{ readonly text: string; readonly answer: GraphqlAnswer<Data> }>;

  // Starts the stack's process (tsx, bundling the resolvers, loading the vision models): up to a minute on 2 shared cores.
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
    process.env.LABELCAST_RESOLVERS_DIR = resolvers.dir;
    try {
      stack = await startStackProcess();
    } finally {
      delete process.env.LABELCAST_RESOLVERS_DIR;
    }
    const running = stack;
    const { data } = JSON.parse(readFileSync(running.outputsPath, 'utf8')) as AmplifyOutputs;
    const ca = readFileSync(running.caPath, 'utf8');
    graphql = async <Data, Variables>(document: TypedDocumentString<Data, Variables>, variables: Variables) => {
      const body = JSON.stringify({ query: document.toString(), variables });
      const response = await post(running.graphqlUrl, ca, body, { 'content-type': 'application/json', 'x-api-key': data.api_key });
      return { text: response.body, answer: response.json() as GraphqlAnswer<Data> };
    };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (stack) rmSync(stack.stateDir, { recursive: true, force: true });
    resolvers?.remove();
  });

  it('refuses the Query with AppSync\'s DynamoDB error: the role, action and index ARN in IAM\'s words', async () => {
    // Act
    const { answer } = await graphql(ImagesDocument, {});

    // Assess
    const running = stack!;
    const index = `arn:aws:dynamodb:${running.region}:000000000000:table/${running.tableName}/index/byStatus`;
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
});
