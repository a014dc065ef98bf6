import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelcastGuardValidator } from '../../infra/guard-policy.ts';
import { createLabelcastApp } from '../../infra/labelcast-app.ts';
import { Stage } from '../../infra/stage.ts';

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

  it.each([Stage.DEV, Stage.PROD])('pass for the %s stack, with each exception acknowledged', (stage) => {
    // Arrange
    const { app } = createLabelcastApp({ outdir: freshOutdir(), context: { stage } });

    // Act
    const error = synthError(app);

    // Assess
    expect(error).toBeUndefined();
  }, 120_000);
});
