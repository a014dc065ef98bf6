/**
 * The API's rate limit as synthesized (infra/api-rate-limit.ts): a REGIONAL web ACL allowing by default, with one
 * rate-based rule blocking per IP at api/rate-limit.ts's limit and window, SigV4-signed POSTs without an API key scoped out, and
 * its association with the AppSync API. The limit and window come from the declaration; the scope-down statement is
 * spelled out, so that it checks infra's rendering of api/rate-limit.ts's statement, not the rendering against itself.
 */
import type { CfnElement } from 'aws-cdk-lib/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiRateLimitSetting } from '../../api/rate-limit.ts';
import { rateLimitRuleName } from '../../infra/api-rate-limit.ts';
import { Stage } from '../../infra/stage.ts';
import { resourcesOf, synthStage, synthWithoutBundling } from './synth.ts';

const dev = () => synthStage(Stage.DEV);

// One synthesis for the file (slow on a busy machine): the tests then only read it.
beforeAll(() => void dev(), 180_000);

const webAclsOf = (template: ReturnType<typeof dev>['template']) =>
  Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::WAFv2::WebACL');

describe('API rate limit (AWS WAF)', () => {
  it('deploys one REGIONAL web ACL that allows by default and blocks an IP over the declared limit, SigV4 POSTs without an API key left out', () => {
    // Arrange
    const { template } = dev();

    // Assess
    const acls = webAclsOf(template);
    expect(acls).toHaveLength(1);
    const properties = acls[0]?.Properties as Record<string, unknown>;
    expect(properties).toMatchObject({
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
    });
    expect(properties.Rules).toEqual([
      {
        Name: rateLimitRuleName,
        Priority: 0,
        Action: { Block: {} },
        Statement: {
          RateBasedStatement: {
            Limit: ApiRateLimitSetting.defaults.limit,
            EvaluationWindowSec: ApiRateLimitSetting.defaults.windowSeconds,
            AggregateKeyType: 'IP',
            ScopeDownStatement: {
              OrStatement: {
                Statements: [
                  {
                    NotStatement: {
                      Statement: {
                        ByteMatchStatement: {
                          FieldToMatch: { Method: {} },
                          PositionalConstraint: 'EXACTLY',
                          SearchString: 'POST',
                          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                        },
                      },
                    },
                  },
                  {
                    NotStatement: {
                      Statement: {
                        ByteMatchStatement: {
                          FieldToMatch: { SingleHeader: { Name: 'authorization' } },
                          PositionalConstraint: 'STARTS_WITH',
                          SearchString: 'AWS4-HMAC-SHA256',
                          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                        },
                      },
                    },
                  },
                  {
                    SizeConstraintStatement: {
                      FieldToMatch: { SingleHeader: { Name: 'x-api-key' } },
                      ComparisonOperator: 'GT',
                      Size: 0,
                      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                    },
                  },
                ],
              },
            },
          },
        },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: `labelcast-dev-${rateLimitRuleName}` },
      },
    ]);
  });

  it('associates the web ACL with the AppSync API', () => {
    // Arrange
    const { labelcast, template } = dev();
    const logicalId = (element: CfnElement) => labelcast.stack.getLogicalId(element);
    const apiId = logicalId(labelcast.stack.graphql.api.node.defaultChild as CfnElement);
    const aclId = logicalId(labelcast.stack.rateLimit.webAcl);

    // Assess
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::GetAtt': [apiId, 'Arn'] },
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
    });
  });

  it('takes the limit and window from CDK context, and names a context key WAF would refuse', () => {
    // Arrange
    const { template } = synthWithoutBundling(Stage.PROD, { apiRateLimit: '50', apiRateLimitWindowSeconds: 60 });

    // Assess
    const rule = ((webAclsOf(template)[0]?.Properties as { Rules: { Statement: { RateBasedStatement: Record<string, unknown> } }[] }).Rules[0])?.Statement.RateBasedStatement;
    expect(rule).toMatchObject({ Limit: 50, EvaluationWindowSec: 60 });
    expect(() => synthWithoutBundling(Stage.PROD, { apiRateLimit: 5 })).toThrow(/^context apiRateLimit must be an integer from 10/);
  }, 180_000);
});
