import { RemovalPolicy } from 'aws-cdk-lib/core';
import { describe, expect, it } from 'vitest';
import { Stage, stageFrom, stageSettings } from '../../infra/stage.ts';

describe('Function: stageFrom', () => {
  it('defaults to dev and accepts dev or prod', () => {
    expect(stageFrom(undefined)).toBe(Stage.DEV);
    expect(stageFrom('dev')).toBe(Stage.DEV);
    expect(stageFrom('prod')).toBe(Stage.PROD);
  });

  it('refuses anything else', () => {
    expect(() => stageFrom('production')).toThrow(/"dev" or "prod"/);
    expect(() => stageFrom(1)).toThrow();
  });
});

describe('Function: stageSettings', () => {
  it('makes dev disposable and prod durable', () => {
    expect(stageSettings(Stage.DEV)).toMatchObject({ removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true, pointInTimeRecovery: false });
    expect(stageSettings(Stage.PROD)).toMatchObject({ removalPolicy: RemovalPolicy.RETAIN, autoDeleteObjects: false, pointInTimeRecovery: true });
  });
});
