/**
 * Writes amplify_outputs.json from a deployed stack's outputs:
 *
 *   npx cdk deploy -c stage=dev --outputs-file cdk-outputs.json
 *   npx tsx infra/outputs-to-amplify.ts cdk-outputs.json [amplify_outputs.json] [--stack labelcast-dev]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stackOutputsFrom, toAmplifyOutputs, type CdkOutputsFile } from './amplify-outputs.ts';

const usage = 'usage: tsx infra/outputs-to-amplify.ts CDK_OUTPUTS_JSON [AMPLIFY_OUTPUTS_JSON] [--stack NAME]';

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { stack: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [input, output = 'amplify_outputs.json'] = positionals;
  if (!input || positionals.length > 2) throw new Error(usage);
  const file = JSON.parse(readFileSync(input, 'utf8')) as CdkOutputsFile;
  const amplify = toAmplifyOutputs(stackOutputsFrom(file, values.stack));
  writeFileSync(output, `${JSON.stringify(amplify, null, 2)}\n`);
  console.log(`wrote ${output} (${amplify.data.url})`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
