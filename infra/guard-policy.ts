/**
 * cfn-guard (the Control Tower proactive controls) as a synth-time policy
 * check. A rule that does not fit this design is acknowledged on the construct
 * it concerns (and so its children), with the reason, via CDK's
 * Validations.acknowledge: the reason is recorded in the construct metadata.
 *
 * Each rule file is run only against templates that hold a resource type it
 * names (see guardRulesFor): cfn-guard's time grows with rules x resources,
 * and of the 237 Control Tower rule files ~40 name a type this app deploys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Validations, type IPolicyValidationContextBeta1, type IPolicyValidationPluginBeta1, type PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib/core';
import type { IConstruct } from 'constructs';

/** The cfn-guard rule names this app acknowledges somewhere (see the call sites for why). */
export const GuardRule = {
  appsyncPrivateApi: 'appsync_api_private_visibility_check',
  appsyncApiKeyAuth: 'appsync_authorization_check',
  logGroupRetentionOneYear: 'cloudwatch_log_group_retention_period_check',
  logGroupKmsEncrypted: 'cloudwatch_log_group_encrypted_check',
  dynamoDbPitr: 'dynamodb_table_pitr_enabled_check',
  lambdaInVpc: 'lambda_inside_vpc_check',
  s3KmsEncryption: 's3_bucket_default_encryption_kms_check',
  s3Versioning: 's3_bucket_versioning_enabled_check',
  s3AccessLogging: 's3_bucket_logging_enabled_check',
  s3EventNotifications: 's3_event_notifications_enabled_check',
  s3ObjectLock: 's3_bucket_object_lock_enabled_check',
  sqsDeadLetterQueue: 'sqs_dlq_check',
} as const;
export type GuardRule = (typeof GuardRule)[keyof typeof GuardRule];

/** The plugin's namespace in acknowledgement ids: `cdk-validator-cfnguard::<rule>`. */
const guardPluginName = 'cdk-validator-cfnguard';

/** What this app passes to the plugin's constructor (its CfnGuardValidatorProps). */
interface CfnGuardValidatorProps {
  /** @default true: every Control Tower rule file */
  readonly controlTowerRulesEnabled?: boolean;
  /** Rule files or directories to run besides (or, with controlTowerRulesEnabled false, instead of) those. */
  readonly rules?: string[];
}

/**
 * The plugin, typed here rather than imported: its .d.ts imports aws-cdk-lib's root module, which makes the type check
 * read all of aws-cdk-lib's declarations (2,564 files, ~960k lines) instead of the ~1,200 files of the modules this app
 * uses (`npm run typecheck`: ~3 CPU-s of its ~13).
 */
const pluginPackage = '@cdklabs/cdk-validator-cfnguard';
const requireFromHere = createRequire(import.meta.url);
const { CfnGuardValidator } = requireFromHere(pluginPackage) as {
  CfnGuardValidator: new (props?: CfnGuardValidatorProps) => IPolicyValidationPluginBeta1;
};

/** The Control Tower rule files the plugin ships (as its own constructor finds them), or undefined if not found there. */
export function controlTowerRuleFiles(): string[] | undefined {
  const rulesDir = path.join(path.dirname(requireFromHere.resolve(`${pluginPackage}/package.json`)), 'rules', 'control-tower', 'cfn-guard');
  try {
    return readdirSync(rulesDir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.guard'))
      .map((file) => path.join(rulesDir, file))
      .sort();
  } catch {
    return undefined;
  }
}

/** A CloudFormation resource type as rules write it: `AWS::S3::Bucket`. */
const resourceTypePattern = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** Resource types a guard input document holds: its resources' types, and its own keys (a hook's input is keyed by type). */
export function documentResourceTypes(document: unknown): Set<string> {
  const types = new Set<string>();
  if (!document || typeof document !== 'object') return types;
  for (const key of Object.keys(document)) types.add(key);
  const resources = (document as { Resources?: unknown }).Resources;
  if (resources && typeof resources === 'object') {
    for (const resource of Object.values(resources)) {
      const type = (resource as { Type?: unknown } | null)?.Type;
      if (typeof type === 'string') types.add(type);
    }
  }
  return types;
}

/**
 * The rule files that can report on documents holding `types`. Every Control Tower rule selects what it checks by
 * resource type (`Resources.*[ Type == 'AWS::S3::Bucket' ]`, or a hook input's `AWS::S3::Bucket` key) and is guarded by
 * `when %selected not empty`: a file naming no type the documents hold selects nothing, so cfn-guard skips it and it
 * reports no violation. A file naming no resource type at all is kept: what it selects cannot be told from its text.
 * tests/infra/guard.test.ts checks every shipped rule file has that form, so a plugin upgrade that breaks it fails there.
 */
export function guardRulesFor(ruleFiles: readonly { path: string; text: string }[], types: ReadonlySet<string>): string[] {
  return ruleFiles
    .filter(({ text }) => {
      const named = text.match(resourceTypePattern);
      return !named || named.some((type) => types.has(type));
    })
    .map((rule) => rule.path);
}

/**
 * The plugin with every Control Tower rule, run per synth over the rule files that can apply to its templates. Its
 * name, version and rule ids are the plugin's, so reports and acknowledgements are unchanged.
 */
class ResourceScopedGuardValidator implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  public constructor(private readonly ruleFiles: readonly string[]) {
    const plugin = new CfnGuardValidator();
    this.name = plugin.name;
    this.version = plugin.version;
    this.ruleIds = plugin.ruleIds;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const types = new Set(context.templatePaths.flatMap((template) => [...documentResourceTypes(JSON.parse(readFileSync(template, 'utf8')))]));
    const rules = guardRulesFor(
      this.ruleFiles.map((file) => ({ path: file, text: readFileSync(file, 'utf8') })),
      types,
    );
    // cfn-guard needs at least one rule; with none that applies there is nothing to report.
    if (rules.length === 0) return { success: true, violations: [] };
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context);
  }
}

/** The Control Tower rules, scoped to each synth's resource types; the plugin as it comes if its rule files moved. */
export function labelcastGuardValidator(): IPolicyValidationPluginBeta1 {
  const ruleFiles = controlTowerRuleFiles();
  return ruleFiles && ruleFiles.length > 0 ? new ResourceScopedGuardValidator(ruleFiles) : new CfnGuardValidator();
}

/** Acknowledges one guard rule on a construct and everything under it. */
export function acknowledgeGuardRule(scope: IConstruct, rule: GuardRule, reason: string): void {
  if (reason.trim() === '') throw new Error(`acknowledging ${rule} needs a reason`);
  Validations.of(scope).acknowledge({ id: `${guardPluginName}::${rule}`, reason });
}
