/**
 * IAM policy evaluation for the local services: is this principal allowed this
 * action on this resource? The subset of IAM's evaluation logic that identity
 * policies written by CDK use:
 *
 * - an explicit Deny wins over any Allow; with neither, the request is denied;
 * - `Action` matches case-insensitively, `Resource` case-sensitively, both with
 *   the `*` and `?` wildcards;
 * - `NotAction` / `NotResource` invert the match;
 * - `Condition` operators StringEquals, StringLike, StringNotEquals,
 *   StringNotLike (with their `IfExists` forms) over request context keys
 *   such as `s3:prefix`; a condition on a key the request lacks does not match
 *   (an `IfExists` one does). Any other operator is refused when the policy is
 *   loaded, rather than silently ignored.
 *
 * Reference: "Policy evaluation logic" and "IAM JSON policy elements" in the
 * IAM User Guide.
 */
import { UnsupportedPolicyError } from './errors.ts';

export type StringOrList = string | readonly string[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource?: StringOrList;
  readonly NotResource?: StringOrList;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, StringOrList>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** One request, as the service that received it describes it. */
export interface AuthorizationRequest {
  /** `service:Operation`, e.g. `s3:GetObject`. */
  readonly action: string;
  /** The ARN the action touches, e.g. `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** Request context keys for conditions, e.g. `{ 's3:prefix': 'uploads/' }`. */
  readonly context?: Readonly<Record<string, string>>;
}

export type AuthorizationDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'explicit-deny' | 'no-allow' };

const supportedOperators = new Set(['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike']);

/** One value or a list, as IAM allows; anything else (an unresolved CloudFormation token) kept as is for the caller to refuse. */
const listOf = (value: StringOrList | undefined): readonly unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const stringsOf = (value: StringOrList | undefined): readonly string[] => listOf(value) as readonly string[];

/** `*` any run of characters, `?` one character; everything else literal. */
function wildcardPattern(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

/** A statement compiled once: patterns built at load, not per request. */
interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly RegExp[];
  readonly notAction: boolean;
  readonly resources: readonly RegExp[];
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
}

interface CompiledCondition {
  readonly operator: string;
  readonly ifExists: boolean;
  readonly key: string;
  readonly values: readonly string[];
  readonly patterns: readonly RegExp[];
}

function compileStatement(statement: PolicyStatement, where: string): CompiledStatement {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new UnsupportedPolicyError(`${where}: Effect must be Allow or Deny, got ${String(statement.Effect)}`);
  }
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new UnsupportedPolicyError(`${where}: exactly one of Action and NotAction is required`);
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new UnsupportedPolicyError(`${where}: exactly one of Resource and NotResource is required`);
  }
  for (const value of [...listOf(statement.Action ?? statement.NotAction), ...listOf(statement.Resource ?? statement.NotResource)]) {
    if (typeof value !== 'string') throw new UnsupportedPolicyError(`${where}: an unresolved value (${JSON.stringify(value)}); resolve ARNs first`);
  }
  const conditions: CompiledCondition[] = [];
  for (const [rawOperator, entries] of Object.entries(statement.Condition ?? {})) {
    const ifExists = rawOperator.endsWith('IfExists');
    const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    if (!supportedOperators.has(operator)) throw new UnsupportedPolicyError(`${where}: condition operator ${rawOperator} is not supported`);
    for (const [key, value] of Object.entries(entries)) {
      const values = stringsOf(value);
      conditions.push({ operator, ifExists, key: key.toLowerCase(), values, patterns: values.map((v) => wildcardPattern(v, false)) });
    }
  }
  return {
    effect: statement.Effect,
    actions: stringsOf(statement.Action ?? statement.NotAction).map((action) => wildcardPattern(action, true)),
    notAction: statement.NotAction !== undefined,
    resources: stringsOf(statement.Resource ?? statement.NotResource).map((resource) => wildcardPattern(resource, false)),
    notResource: statement.NotResource !== undefined,
    conditions,
  };
}

function conditionHolds(condition: CompiledCondition, context: Readonly<Record<string, string>>): boolean {
  const entry = Object.entries(context).find(([key]) => key.toLowerCase() === condition.key);
  if (entry === undefined) return condition.ifExists;
  const value = entry[1];
  switch (condition.operator) {
    case 'StringEquals':
      return condition.values.includes(value);
    case 'StringNotEquals':
      return !condition.values.includes(value);
    case 'StringLike':
      return condition.patterns.some((pattern) => pattern.test(value));
    case 'StringNotLike':
      return !condition.patterns.some((pattern) => pattern.test(value));
    default:
      return false;
  }
}

function statementApplies(statement: CompiledStatement, request: AuthorizationRequest): boolean {
  const actionMatches = statement.actions.some((pattern) => pattern.test(request.action)) !== statement.notAction;
  if (!actionMatches) return false;
  const resourceMatches = statement.resources.some((pattern) => pattern.test(request.resource)) !== statement.notResource;
  if (!resourceMatches) return false;
  return statement.conditions.every((condition) => conditionHolds(condition, request.context ?? {}));
}

/** A principal's identity policies, compiled: `authorize` answers as IAM would. */
export interface CompiledPolicy {
  authorize(request: AuthorizationRequest): AuthorizationDecision;
}

export function compilePolicy(documents: readonly PolicyDocument[], name = 'policy'): CompiledPolicy {
  const statements = documents.flatMap((document, d) =>
    document.Statement.map((statement, s) => compileStatement(statement, `${name} document ${d} statement ${statement.Sid ?? s}`)),
  );
  return {
    authorize(request) {
      let allowed = false;
      for (const statement of statements) {
        if (!statementApplies(statement, request)) continue;
        if (statement.effect === 'Deny') return { allowed: false, reason: 'explicit-deny' };
        allowed = true;
      }
      return allowed ? { allowed: true } : { allowed: false, reason: 'no-allow' };
    },
  };
}
