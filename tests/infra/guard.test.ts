import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelcastGuardValidator } from '../../infra/guard-policy.ts';
import { createLabelcastApp } from '../../infra/labelcast-app.ts';
import { Stage } from '../../infra/stage.ts';
import { noBundling } from './synth.ts';

const outdirs: string[] = [];
const freshOutdir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-guard-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

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
    const app = new App({ outdir: freshOutdir() });
    Validations.of(app).addPlugins(labelcastGuardValidator());
    new Bucket(new Stack(app, 'Plain'), 'Bucket');

    // Act
    const error = synthError(app);

    // Assess
    expect(error?.message).toMatch(/validation/i);
  }, 120_000);

  // The rules read resources, not code: one stage is synthesized with Lambda bundling, as `cdk synth` does
  // (so the bundling and its native-module hooks run once in the suite), the other without, which saves a
  // bundling of every function. Bundling does not depend on the stage.
  it.each([
    [Stage.DEV, 'with Lambda bundling', {}],
    [Stage.PROD, 'without bundling', noBundling],
  ])('pass for the %s stack (%s), with each exception acknowledged', (stage, _bundling, bundlingContext) => {
    // Arrange
    const { app } = createLabelcastApp({ outdir: freshOutdir(), context: { stage, ...bundlingContext } });

    // Act
    const error = synthError(app);

    // Assess
    expect(error).toBeUndefined();
  }, 120_000);
});
