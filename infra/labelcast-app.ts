/** Builds the CDK app: the stage from context, one stack, cfn-guard on synth. */
import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { labelcastGuardValidator } from './guard-policy.ts';
import { LabelcastStack } from './labelcast-stack.ts';
import { stageContextKey, stageFrom, type Stage } from './stage.ts';

export interface LabelcastAppProps extends AppProps {
  /**
   * Run the cfn-guard Control Tower rules when synthesizing.
   * @default true
   */
  readonly guard?: boolean;
}

export interface LabelcastApp {
  readonly app: App;
  readonly stage: Stage;
  readonly stack: LabelcastStack;
}

/** Stack name per stage, e.g. `labelcast-dev`; `cdk deploy labelcast-prod -c stage=prod`. */
export const stackNameFor = (stage: Stage) => `labelcast-${stage}`;

/** CDK context key for browser origins allowed to upload: `-c allowedOrigins=https://a.example,https://b.example`. */
export const allowedOriginsContextKey = 'allowedOrigins';

function originsFrom(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) throw new Error(`context ${allowedOriginsContextKey} names no origin`);
  return origins;
}

export function createLabelcastApp(props: LabelcastAppProps = {}): LabelcastApp {
  const { guard = true, ...appProps } = props;
  const app = new App(appProps);
  // Validations.addPlugins is the successor of the deprecated AppProps.policyValidationBeta1.
  if (guard) Validations.of(app).addPlugins(labelcastGuardValidator());
  const stage = stageFrom(app.node.tryGetContext(stageContextKey));
  // No env: the stack is environment-agnostic, so synth needs no account or lookups.
  const stack = new LabelcastStack(app, stackNameFor(stage), {
    stage,
    allowedOrigins: originsFrom(app.node.tryGetContext(allowedOriginsContextKey)),
    description: `labelcast (${stage}): real-time image labelling GraphQL API`,
  });
  Tags.of(stack).add('project', 'labelcast');
  Tags.of(stack).add('stage', stage);
  return { app, stage, stack };
}
