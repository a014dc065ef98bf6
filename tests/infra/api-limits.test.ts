/** AppSync's limits per stage and the completion-callback wiring, as synthesized. */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CallbackSettings, CallbackUrlPolicy } from '../../api/callback.ts';
import { ApiLimits } from '../../api/limits.ts';
import { Stage } from '../../infra/stage.ts';
import { resourcesOf, synthStage } from './synth.ts';

describe('GraphQL API limits', () => {
  it.each([Stage.DEV, Stage.PROD])('sets api/limits.ts values in %s', (stage) => {
    // Act
    const { template } = synthStage(stage);

    // Assess
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      QueryDepthLimit: ApiLimits[stage].queryDepthLimit,
      ResolverCountLimit: ApiLimits[stage].resolverCountLimit,
      IntrospectionConfig: ApiLimits[stage].introspection ? 'ENABLED' : 'DISABLED',
    });
  });

  it('turns introspection off in prod only', () => {
    expect(ApiLimits.prod.introspection).toBe(false);
    synthStage(Stage.PROD).template.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'DISABLED' });
    synthStage(Stage.DEV).template.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'ENABLED' });
  });
});

describe('Completion callbacks', () => {
  it('lets requestUpload take https callback URLs only', () => {
    synthStage(Stage.PROD).template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      EnvironmentVariables: { [CallbackSettings.urlPolicyVariable]: CallbackUrlPolicy.HTTPS_ONLY },
    });
  });

  it('gives the functions that end images a generated secret, and never the loopback switch', () => {
    // Prepare
    const { template } = synthStage(Stage.PROD);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));

    // Act
    const functions = Object.values(resourcesOf(template)).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const variablesOf = (resource: (typeof functions)[number]) =>
      ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
    const senders = functions.filter((resource) => CallbackSettings.secretVariable in variablesOf(resource));

    // Assess
    expect(senders.map((resource) => variablesOf(resource).POWERTOOLS_SERVICE_NAME).sort()).toEqual(['labeler', 'labeling-failed', 'reconciler']);
    for (const sender of senders) {
      expect(JSON.stringify(variablesOf(sender)[CallbackSettings.secretVariable])).toContain(secretId);
    }
    for (const resource of functions) expect(variablesOf(resource)).not.toHaveProperty(CallbackSettings.allowLoopbackVariable);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
  });
});
