/**
 * The local AppSync's DynamoDB data source is held to the role infra/
 * synthesizes for it: both are derived from the same bundled resolver code by
 * api/data-source-access.ts. The synthesized role, its CloudFormation
 * references resolved, must hold exactly the statements of the local role
 * (local/iam/data-source-roles.ts): same actions on the same table and index
 * ARNs, the account id aside (the local account is 000000000000).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleResolver } from '../../api/bundle.ts';
import { dynamoDbDataSourceNames, queryIndexesOf } from '../../api/data-source-access.ts';
import { Stage } from '../../infra/stage.ts';
import { localDataSourcePolicies } from '../../local/iam/data-source-roles.ts';
import { localAccountId } from '../../local/iam/principals.ts';
import { dataSourceRoleStatements, resourceNames, testAccount, type ResolvedStatement } from './iam-policy.ts';
import { resourcesOf, synthStage } from './synth.ts';

const tableName = 'labelcast-images';

/** The synthesized statement with its ARNs moved into the local account. */
const inLocalAccount = (statement: ResolvedStatement) => ({
  Effect: statement.Effect,
  Action: [...statement.Action].sort(),
  Resource: statement.Resource.map((arn) => arn.replace(`:${testAccount.accountId}:`, `:${localAccountId}:`)),
});

// Synthesis (without Lambda bundling) happens here, under the hook timeout, not in the test.
beforeAll(() => {
  synthStage(Stage.DEV);
});

describe('DynamoDB data source roles: local equals synthesized', () => {
  it.each(dynamoDbDataSourceNames)('%s: the local role holds exactly the statements of the deployed role', (name) => {
    // Prepare
    const { template } = synthStage(Stage.DEV);
    const [tableId] = Object.entries(resourcesOf(template)).find(([, resource]) => resource.Type === 'AWS::DynamoDB::Table') ?? [];
    if (tableId === undefined) throw new Error('the template has no table');
    const synthesized = dataSourceRoleStatements(template, name, resourceNames({ [tableId]: tableName })).map(inLocalAccount);

    // Act
    const local = localDataSourcePolicies((file) => bundleResolver({ code: file }), { region: testAccount.region, tableName })[name];

    // Assess
    const tableArn = `arn:aws:dynamodb:${testAccount.region}:${localAccountId}:table/${tableName}`;
    expect(synthesized).toContainEqual({ Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [tableArn, ...queryIndexesOf(name).map((index) => `${tableArn}/index/${index}`)] });
    expect(local.Statement).toEqual(synthesized);
  });
});
