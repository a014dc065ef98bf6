/**
 * Synthesizes the labelcast stack for tests, without Lambda bundling (roles,
 * environments and wiring do not depend on it; tests/infra/guard.test.ts
 * synthesizes the dev stage with bundling, as `cdk synth` does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createLabelcastApp, type LabelcastApp } from '../../infra/labelcast-app.ts';
import type { Stage } from '../../infra/stage.ts';

/** CDK context that skips asset bundling (cxapi.BUNDLING_STACKS): roles, environments and wiring do not depend on it. */
export const noBundling = { 'aws:cdk:bundling-stacks': [] } as const;

/**
 * A fresh synthesis without Lambda bundling, for tests that read roles and settings only. Without CDK's
 * built-in CloudFormation validation too: its rule engine (WebAssembly) takes seconds to start in each test
 * worker and more for each template, and its findings are only warnings unless the
 * `@aws-cdk/core:validateAgainstDefaultRules` feature flag is set (tests/infra/guard.test.ts leaves it off too).
 */
export function synthWithoutBundling(stage: Stage, context: Record<string, unknown> = {}): { labelcast: LabelcastApp; template: Template } {
  return inScratchOutdir((outdir) => {
    const labelcast = createLabelcastApp({ outdir, guard: false, builtinCloudFormationValidation: false, context: { stage, ...noBundling, ...context } });
    // The template is read into memory here: the cloud assembly on disk is not needed again.
    return { labelcast, template: Template.fromStack(labelcast.stack) };
  });
}

/**
 * Runs `build` with a fresh directory for a test app's cloud assembly, removed once it returns or throws. An App
 * given no outdir makes one in the system's temporary directory as it is constructed (cdk.outXXXXXX), and nothing
 * removes it: ten were left behind by each test run.
 */
export function inScratchOutdir<T>(build: (outdir: string) => T): T {
  const outdir = mkdtempSync(path.join(tmpdir(), 'labelcast-synth-'));
  try {
    return build(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const cache = new Map<Stage, { labelcast: LabelcastApp; template: Template }>();

/**
 * One synthesis per stage, without bundling, shared by the tests that read it (none may change it). The
 * `unit` project (vitest.config.ts) runs its files without isolation, so the CDK files that one worker
 * runs share it too: importing aws-cdk-lib and building the dev stage take ~2 CPU-s, its synth and the prod
 * stage ~0.4 each. The tests read the constructs too (logical ids, grants), so a template cached on disk would
 * save only the synth step.
 */
export function synthStage(stage: Stage): { labelcast: LabelcastApp; template: Template } {
  let synthesized = cache.get(stage);
  if (!synthesized) {
    // guard off here: tests/infra/guard.test.ts runs the policy plugin.
    synthesized = synthWithoutBundling(stage);
    cache.set(stage, synthesized);
  }
  return synthesized;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;

export const resourcesOf = (template: Template): Resources => template.toJSON().Resources as Resources;

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every inline and managed policy in the template. */
export function allPolicyStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const resource of Object.values(resourcesOf(template))) {
    const props = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(props.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(policy.PolicyDocument);
    }
    for (const document of documents) statements.push(...((document as { Statement: Statement[] }).Statement ?? []));
  }
  return statements;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** A CloudFormation value with intrinsic functions flattened to readable text, for matching suffixes. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('');
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value)[0] ?? [];
    if (key === 'Fn::Join') {
      const [separator, parts] = inner as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    if (key === 'Ref') return `\${${String(inner)}}`;
    if (key === 'Fn::GetAtt') return `\${${(inner as string[]).join('.')}}`;
    return JSON.stringify(value);
  }
  return String(value);
}
