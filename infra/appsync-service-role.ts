/**
 * Roles AppSync assumes (data source roles, the logging role), with the
 * confused-deputy conditions of AppSync's "Cross-service confused deputy
 * prevention" guidance in their trust policy: appsync.amazonaws.com may assume
 * the role only on behalf of this account (aws:SourceAccount) and of the given
 * API ARNs (aws:SourceArn). Without them, any AppSync API that is handed the
 * role's ARN could act with its permissions.
 *
 * A data source role names this API's ARN (the role then depends on the API,
 * which does not depend on it). The logging role cannot: the API names the
 * role in its LogConfig, so naming the API's ARN back would be a dependency
 * cycle; it takes any API of this account and region instead.
 */
import { Stack } from 'aws-cdk-lib/core';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface AppSyncServiceRoleProps {
  /** ArnLike patterns for aws:SourceArn: the AppSync API(s) that may assume the role. */
  readonly sourceArns: readonly string[];
  readonly description?: string;
}

export function appSyncServiceRole(scope: Construct, id: string, props: AppSyncServiceRoleProps): Role {
  if (props.sourceArns.length === 0) throw new Error('an AppSync service role needs at least one source ARN');
  return new Role(scope, id, {
    description: props.description,
    assumedBy: new ServicePrincipal('appsync.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        ArnLike: { 'aws:SourceArn': [...props.sourceArns] },
      },
    }),
  });
}

/** This API's ARN, and anything under it, for a role only this API may assume. */
export const sourceArnsOfApi = (api: IGraphqlApi): string[] => [api.arn, `${api.arn}/*`];

/** Every AppSync API of the stack's account and region: for a role the API itself references. */
export const sourceArnsOfAnyApi = (scope: Construct): string[] => [
  Stack.of(scope).formatArn({ service: 'appsync', resource: 'apis', resourceName: '*' }),
];
