/**
 * The GraphQL API's request-rate limit per client IP (api/rate-limit.ts): an AWS WAF web ACL (REGIONAL, default
 * allow) with one rate-based rule that blocks an address over the limit, associated with the AppSync API. WAF
 * evaluates it before AppSync's own auth. SigV4-signed POSTs without an API key are left out by the
 * rule's scope-down statement (neither counted nor blocked), so the labeler's publishImageLabeled is never limited.
 */
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { Construct } from 'constructs';
import { rateLimitScopeDown, type ApiRateLimitRule, type ScopeDownStatement } from '../api/rate-limit.ts';

export interface ApiRateLimitProps {
  /** The AppSync API the web ACL is associated with. */
  readonly api: IGraphqlApi;
  /** The limit and its evaluation window (api/rate-limit.ts, from CDK context). */
  readonly rule: ApiRateLimitRule;
  /**
   * Prefix of the web ACL's and rule's CloudWatch metric names (WAF: 1–128 of A–Z, a–z, 0–9, `-`, `_`).
   * @default 'labelcast'
   */
  readonly metricPrefix?: string;
}

/** Values are matched as sent: no text transformation (WAF requires one entry; NONE is none). */
const asSent: CfnWebACL.TextTransformationProperty[] = [{ priority: 0, type: 'NONE' }];

/** A scope-down statement (api/rate-limit.ts) as WAF's statement: the one rendering of the one declaration. */
export function wafStatement(statement: ScopeDownStatement): CfnWebACL.StatementProperty {
  switch (statement.kind) {
    case 'anyOf':
      return { orStatement: { statements: statement.statements.map(wafStatement) } };
    case 'not':
      return { notStatement: { statement: wafStatement(statement.statement) } };
    case 'headerStartsWith':
      return {
        byteMatchStatement: {
          fieldToMatch: { singleHeader: { Name: statement.header } },
          positionalConstraint: 'STARTS_WITH',
          searchString: statement.prefix,
          textTransformations: asSent,
        },
      };
    case 'headerPresent':
      // WAF's own idiom for "the header is there and has a value" (rate-limiting a missing header).
      return {
        sizeConstraintStatement: {
          fieldToMatch: { singleHeader: { Name: statement.header } },
          comparisonOperator: 'GT',
          size: 0,
          textTransformations: asSent,
        },
      };
    case 'methodEquals':
      return {
        byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: statement.method, textTransformations: asSent },
      };
  }
}

/** The rule's name in the web ACL, its metrics and sampled requests. */
export const rateLimitRuleName = 'per-ip-rate-limit';

export class ApiRateLimit extends Construct {
  public readonly webAcl: CfnWebACL;
  public readonly association: CfnWebACLAssociation;

  public constructor(scope: Construct, id: string, props: ApiRateLimitProps) {
    super(scope, id);
    const prefix = props.metricPrefix ?? 'labelcast';
    // Metrics and sampled requests: blocked requests show in CloudWatch (AWS/WAFV2, BlockedRequests) and the console.
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      // REGIONAL: AppSync is a regional resource (CLOUDFRONT is for distributions only).
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: `labelcast: at most ${props.rule.limit} requests per ${props.rule.windowSeconds} s per client IP, SigV4-signed POSTs without an API key not counted`,
      visibilityConfig: visibility(`${prefix}-api`),
      rules: [
        {
          name: rateLimitRuleName,
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.rule.limit,
              evaluationWindowSec: props.rule.windowSeconds,
              aggregateKeyType: 'IP',
              // Counted: the requests api/rate-limit.ts's scope-down matches (all but SigV4-signed POSTs without an API key).
              scopeDownStatement: wafStatement(rateLimitScopeDown),
            },
          },
          visibilityConfig: visibility(`${prefix}-${rateLimitRuleName}`),
        },
      ],
    });
    this.association = new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.api.arn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
