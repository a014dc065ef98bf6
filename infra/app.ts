/** CDK entry point (cdk.json: `npx tsx infra/app.ts`). Stage: `cdk synth -c stage=prod`, default dev. */
import { createLabelcastApp } from './labelcast-app.ts';

createLabelcastApp().app.synth();
