/**
 * AppSync's limits per stage and the completion-callback wiring, as
 * synthesized. Every expectation is derived from api/ (limits.ts, access.ts,
 * manifest.ts), so the test follows the code and fails when the stack stops
 * carrying what api/ declares. Synthesized once per stage, without Lambda
 * bundling: none of this depends on the bundles.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentSource, needsSource } from '../../api/access.ts';
import { CallbackSettings, CallbackUrlPolicy } from '../../api/callback.ts';
import { ApiLimits } from '../../api/limits.ts';
import { lambdaFunctions, serviceNameOf, type LambdaFunctionName } from '../../api/manifest.ts';
import { Stage } from '../../infra/stage.ts';
import { resourcesOf, synthStage } from './synth.ts';

const stages = [Stage.DEV, Stage.PROD] as const;
const templates = new Map<Stage, Template>();
const templateOf = (stage: Stage): Template => templates.get(stage)!;

beforeAll(() => {
  for (const stage of stages) templates.set(stage, synthStage(stage).template);
});

describe('GraphQL API limits', () => {
  it.each(stages)('sets api/limits.ts values in %s', (stage) => {
    // Assess
    templateOf(stage).hasResourceProperties('AWS::AppSync::GraphQLApi', {
      QueryDepthLimit: ApiLimits[stage].queryDepthLimit,
      ResolverCountLimit: ApiLimits[stage].resolverCountLimit,
      IntrospectionConfig: ApiLimits[stage].introspection ? 'ENABLED' : 'DISABLED',
    });
  });
});

describe('Completion callbacks', () => {
  it.each(stages)('lets requestUpload take https callback URLs only in %s', (stage) => {
    templateOf(stage).hasResourceProperties('AWS::AppSync::GraphQLApi', {
      EnvironmentVariables: { [CallbackSettings.urlPolicyVariable]: CallbackUrlPolicy.HTTPS_ONLY },
    });
  });

  it('gives the functions api/access.ts names a generated secret, and never the loopback switch', () => {
    // Prepare
    const template = templateOf(Stage.PROD);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const declared = (Object.keys(lambdaFunctions) as LambdaFunctionName[])
      .filter((name) => needsSource(name, EnvironmentSource.callbackSecret))
      .map(serviceNameOf)
      .sort();

    // Act
    const functions = Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const variablesOf = (resource: (typeof functions)[number]) =>
      ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
    const senders = functions.filter((resource) => CallbackSettings.secretVariable in variablesOf(resource));

    // Assess
    expect(declared.length, 'api/access.ts names some callback sender').toBeGreaterThan(0);
    expect(senders.map((resource) => variablesOf(resource).POWERTOOLS_SERVICE_NAME).sort()).toEqual(declared);
    for (const sender of senders) {
      expect(JSON.stringify(variablesOf(sender)[CallbackSettings.secretVariable])).toContain(secretId);
    }
    for (const resource of functions) expect(variablesOf(resource)).not.toHaveProperty(CallbackSettings.allowLoopbackVariable);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
  });
});
