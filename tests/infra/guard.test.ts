import { App, Stack, Validations } from 'aws-cdk-lib/core';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlTowerRuleFiles, documentResourceTypes, guardRulesFor, labelcastGuardValidator } from '../../infra/guard-policy.ts';
import { createLabelcastApp } from '../../infra/labelcast-app.ts';
import { Stage } from '../../infra/stage.ts';
import { withEsbuildWithoutNpx } from './esbuild-without-npx.ts';
import { noBundling } from './synth.ts';

/**
 * CDK's built-in CloudFormation validation stays off here, as in tests/infra/synth.ts: without the
 * `@aws-cdk/core:validateAgainstDefaultRules` feature flag its findings are warnings and synth passes, so no
 * test here could fail on them, yet its rule engine (WebAssembly) took ~4 CPU-s to start and ~2 a template.
 */
const builtinCloudFormationValidation = false;

const outdirs: string[] = [];
const freshOutdir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-guard-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The rules that failed, from the report CDK writes beside the templates (its error names only the file). */
function failedRules(outdir: string): string[] {
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
  };
  return report.pluginReports.flatMap((plugin) => plugin.violations.map((violation) => `${plugin.pluginName}::${violation.ruleName}`));
}

/** Synthesizes and returns the validation failure, if any (CDK throws after printing the report). */
function synthError(app: App): Error | undefined {
  try {
    app.synth();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe('cfn-guard Control Tower rules', () => {
  it('reject a non-compliant bucket (the plugin really runs)', () => {
    // Arrange
    const outdir = freshOutdir();
    const app = new App({ outdir, builtinCloudFormationValidation });
    Validations.of(app).addPlugins(labelcastGuardValidator());
    new Bucket(new Stack(app, 'Plain'), 'Bucket');

    // Act
    const error = synthError(app);

    // Assess: a Control Tower rule failed it, not the plugin itself (that, too, fails the synth)
    expect(error?.message).toMatch(/validation/i);
    expect(failedRules(outdir)).toContain('cdk-validator-cfnguard::s3_bucket_level_public_access_prohibited_check');
  }, 120_000);

  // The rules read resources, not code: one stage is synthesized with Lambda bundling, as `cdk synth` does
  // (so the bundling and its native-module hooks run once in the suite), the other without, which saves a
  // bundling of every function. Bundling does not depend on the stage. NodejsFunction bundles while the stack
  // is built, so both the build and the synth run with esbuild called without npx (the same bundles, less CPU).
  it.each([
    [Stage.DEV, 'with Lambda bundling', {}],
    [Stage.PROD, 'without bundling', noBundling],
  ])('pass for the %s stack (%s), with each exception acknowledged', (stage, _bundling, bundlingContext) => {
    const error = withEsbuildWithoutNpx(() => {
      // Arrange
      const { app } = createLabelcastApp({ outdir: freshOutdir(), builtinCloudFormationValidation, context: { stage, ...bundlingContext } });

      // Act
      return synthError(app);
    });

    // Assess
    expect(error).toBeUndefined();
  }, 120_000);
});

describe('Function: guardRulesFor', () => {
  const rule = (path: string, types: string[]) => ({ path, text: types.map((type) => `let selected = Resources.*[ Type == '${type}' ]`).join('\n') });

  it('keeps each rule file that names a resource type the templates hold, and only those', () => {
    // Arrange
    const files = [
      rule('s3.guard', ['AWS::S3::Bucket']),
      rule('ec2.guard', ['AWS::EC2::Instance']),
      rule('mixed.guard', ['AWS::RDS::DBCluster', 'AWS::SQS::Queue']),
    ];

    // Act
    const kept = guardRulesFor(files, new Set(['AWS::S3::Bucket', 'AWS::SQS::Queue']));

    // Assess
    expect(kept).toEqual(['s3.guard', 'mixed.guard']);
  });

  it('keeps a rule file that names no resource type: what it selects cannot be told', () => {
    expect(guardRulesFor([{ path: 'any.guard', text: 'rule any { Resources exists }' }], new Set(['AWS::S3::Bucket']))).toEqual(['any.guard']);
  });
});

/**
 * What in a guard rule file breaks guardRulesFor's assumption: that every rule cfn-guard evaluates (a named rule
 * without parameters) runs only on documents holding a resource type the file names, being guarded by either
 * `when is_cfn_template(<input>) %selection not empty`, the selection a `let x = Resources.*[ Type == %TYPE or … ]` of
 * type constants (`let TYPE = "AWS::S3::Bucket"`), or `when is_cfn_hook(<input>, %TYPE)`. Empty when it holds.
 */
function unscopedRules(text: string): string[] {
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  const types = new Map([...code.matchAll(/^let (\w+)\s*=\s*["'](AWS::\w+::\w+)["']/gm)].map(([, name, type]) => [name, type]));
  const typeClause = /^Type == (?:%(\w+)|["'](AWS::\w+::\w+)["'])$/;
  const selections = new Set(
    [...code.matchAll(/^let (\w+)\s*=\s*Resources(?:\.\*)?\[([^\]]*)\]/gm)]
      .filter(([, , body]) =>
        body.split(/\bor\b/).every((clause) => {
          const [, constant, literal] = clause.trim().match(typeClause) ?? [];
          return literal !== undefined || (constant !== undefined && types.has(constant));
        }),
      )
      .map(([, name]) => name),
  );
  const problems: string[] = [];
  const rules = [...code.matchAll(/^\s*rule (\w+)(\s+when\s+[^{]*)?\{/gm)];
  if (rules.length === 0) problems.push('no rule that cfn-guard evaluates');
  for (const [, name, condition = ''] of rules) {
    const when = condition.replace(/\s+/g, ' ').trim();
    const template = when.match(/^when is_cfn_template\((?:%INPUT_DOCUMENT|this)\) %(\w+) not empty$/);
    const hook = when.match(/^when is_cfn_hook\(%INPUT_DOCUMENT, ?%(\w+)\)$/);
    if (template && selections.has(template[1])) continue;
    if (hook && types.has(hook[1])) continue;
    problems.push(`rule ${name} is not guarded by a resource-type selection: "${when}"`);
  }
  return problems;
}

describe('Control Tower rule files shipped with the plugin', () => {
  it('each select what they check by resource type, as guardRulesFor assumes (a plugin upgrade that does not fails here)', () => {
    // Arrange
    const files = controlTowerRuleFiles();
    expect(files?.length).toBeGreaterThan(0);

    // Act
    const problems = (files ?? []).flatMap((file) => unscopedRules(readFileSync(file, 'utf8')).map((problem) => `${path.basename(file)}: ${problem}`));

    // Assess
    expect(problems).toEqual([]);
  });

  it('are checked for it: a rule guarded by anything but a type selection is reported', () => {
    const scoped = 'let BUCKET = "AWS::S3::Bucket"\nlet INPUT_DOCUMENT = this\nlet buckets = Resources.*[ Type == %BUCKET ]\n';
    expect(unscopedRules(`${scoped}rule ok when is_cfn_template(%INPUT_DOCUMENT)\n    %buckets not empty {\n  check(%buckets)\n}\n`)).toEqual([]);
    expect(unscopedRules(`${scoped}rule any {\n  Resources exists\n}\n`)).toHaveLength(1);
    expect(unscopedRules(`${scoped}let named = Resources.*[ Name == "x" ]\nrule n when is_cfn_template(this) %named not empty {\n}\n`)).toHaveLength(1);
    expect(unscopedRules(`${scoped}rule h when is_cfn_hook(%INPUT_DOCUMENT, %OTHER) {\n}\n`)).toHaveLength(1);
  });
});

describe('Function: documentResourceTypes', () => {
  it("holds a template's resource types and a hook input's type keys", () => {
    const template = { Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Queue: { Type: 'AWS::SQS::Queue' } } };
    expect([...documentResourceTypes(template)].filter((type) => type.startsWith('AWS::')).sort()).toEqual(['AWS::S3::Bucket', 'AWS::SQS::Queue']);
    expect(documentResourceTypes({ 'AWS::S3::Bucket': { resourceProperties: {} } })).toContain('AWS::S3::Bucket');
  });
});
