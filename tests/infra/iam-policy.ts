/**
 * A function's role as synthesized, over a template whose intrinsic
 * functions are resolved to concrete names and ARNs, and whether it allows a
 * request (evaluated by local/iam/policy.ts, as the local services do).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { compilePolicy, type AuthorizationRequest } from '../../local/iam/policy.ts';

export const testAccount = { partition: 'aws', region: 'us-east-1', accountId: '111122223333' } as const;

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export interface ResolvedStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** Concrete names for the template's resources: what Ref and Fn::GetAtt of each resolve to. */
export interface ResourceNames {
  /** The physical name a Ref of the resource gives (bucket name, table name). */
  ref(logicalId: string, type: string): string;
  /** An attribute, e.g. Arn. */
  attribute(logicalId: string, type: string, attribute: string): string;
}

const { partition, region, accountId } = testAccount;

/** Names every resource after its logical id, with ARNs in the test account; `names` overrides a Ref (e.g. the bucket). */
export function resourceNames(overrides: Readonly<Record<string, string>> = {}): ResourceNames {
  const ref = (logicalId: string) => overrides[logicalId] ?? logicalId;
  return {
    ref,
    attribute(logicalId, type, attribute) {
      const name = ref(logicalId);
      if (attribute !== 'Arn') {
        if (type === 'AWS::AppSync::GraphQLApi' && attribute === 'ApiId') return name;
        return `${logicalId}.${attribute}`;
      }
      switch (type) {
        case 'AWS::S3::Bucket':
          return `arn:${partition}:s3:::${name}`;
        case 'AWS::DynamoDB::Table':
          return `arn:${partition}:dynamodb:${region}:${accountId}:table/${name}`;
        case 'AWS::AppSync::GraphQLApi':
          return `arn:${partition}:appsync:${region}:${accountId}:apis/${name}`;
        case 'AWS::Lambda::Function':
          return `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
        default:
          return `arn:${partition}:${type}:${region}:${accountId}:${name}`;
      }
    },
  };
}

const pseudo: Record<string, string> = {
  'AWS::Partition': partition,
  'AWS::Region': region,
  'AWS::AccountId': accountId,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves Ref, Fn::GetAtt and Fn::Join to text. */
export function resolveValue(value: unknown, resources: Resources, names: ResourceNames): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [key, inner] = Object.entries(value)[0] ?? [];
    if (key === 'Ref') {
      const id = String(inner);
      return pseudo[id] ?? names.ref(id, resources[id]?.Type ?? 'unknown');
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = inner as [string, string];
      return names.attribute(id, resources[id]?.Type ?? 'unknown', attribute);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = inner as [string, unknown[]];
      return parts.map((part) => resolveValue(part, resources, names)).join(separator);
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function resolveStatement(statement: Record<string, unknown>, resources: Resources, names: ResourceNames): ResolvedStatement {
  const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
  return {
    Effect: statement.Effect as 'Allow' | 'Deny',
    Action: list(statement.Action).map(String),
    Resource: list(statement.Resource).map((resource) => resolveValue(resource, resources, names)),
    ...(condition
      ? {
          Condition: Object.fromEntries(
            Object.entries(condition).map(([operator, keys]) => [
              operator,
              Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, list(values).map((v) => resolveValue(v, resources, names))])),
            ]),
          ),
        }
      : {}),
  };
}

/** The logical id of a manifest function's Lambda, found by its description. */
export function functionLogicalId(template: Template, name: LambdaFunctionName): string {
  const resources = template.toJSON().Resources as Resources;
  const matches = Object.entries(resources).filter(
    ([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Description === lambdaFunctions[name].description,
  );
  if (matches.length !== 1) throw new Error(`expected one Lambda function for ${name}, found ${matches.length}`);
  return matches[0]![0];
}

/** Every statement of a role (its inline policies and the AWS::IAM::Policy resources attached to it), resolved. */
export function statementsOfRole(template: Template, roleId: string, names: ResourceNames): ResolvedStatement[] {
  const resources = template.toJSON().Resources as Resources;
  const documents: unknown[] = [];
  for (const policy of (resources[roleId]?.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(policy.PolicyDocument);
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
    if (roles.some((role) => role.Ref === roleId)) documents.push(resource.Properties?.PolicyDocument);
  }
  return documents.flatMap((document) =>
    ((document as { Statement: Record<string, unknown>[] }).Statement ?? []).map((statement) => resolveStatement(statement, resources, names)),
  );
}

/** Every statement of the function's role (inline policies and attached AWS::IAM::Policy resources), resolved. */
export function roleStatements(template: Template, name: LambdaFunctionName, names: ResourceNames): ResolvedStatement[] {
  const resources = template.toJSON().Resources as Resources;
  const fn = resources[functionLogicalId(template, name)]!;
  const [roleId] = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return statementsOfRole(template, roleId, names);
}

/** Every statement of an AppSync data source's service role, found by the data source's name, resolved. */
export function dataSourceRoleStatements(template: Template, dataSourceName: string, names: ResourceNames): ResolvedStatement[] {
  const resources = template.toJSON().Resources as Resources;
  const matches = Object.values(resources).filter((resource) => resource.Type === 'AWS::AppSync::DataSource' && resource.Properties?.Name === dataSourceName);
  if (matches.length !== 1) throw new Error(`expected one AppSync data source named ${dataSourceName}, found ${matches.length}`);
  const [roleId] = (matches[0]!.Properties?.ServiceRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return statementsOfRole(template, roleId, names);
}

/** The request a policy is evaluated for. */
export type AccessRequest = AuthorizationRequest;

/**
 * Whether the statements allow the request, by the same evaluation the local
 * services enforce (local/iam/policy.ts): an explicit Deny wins, otherwise an
 * Allow must match.
 */
export function isAllowed(statements: readonly ResolvedStatement[], request: AccessRequest): boolean {
  return compilePolicy([{ Statement: statements.map((statement) => ({ ...statement })) }], 'synthesized role').authorize(request).allowed;
}
