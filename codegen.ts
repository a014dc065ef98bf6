/**
 * GraphQL Code Generator: typed documents for the example clients, from
 * schema.graphql (with AppSync's built-in scalars) and the one operations file
 * they share. `npm run codegen` writes client-example/graphql/generated/,
 * which is checked in; tests/client/codegen.test.ts fails when it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { appSyncBuiltins, schemaPath } from './api/schema.ts';

export const generatedDir = 'client-example/graphql/generated/';

const config: CodegenConfig = {
  schema: [schemaPath, appSyncBuiltins],
  documents: ['client-example/graphql/*.graphql'],
  generates: {
    [generatedDir]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // aws-amplify v6 takes a query string; TypedDocumentString is one that carries its types.
        documentMode: 'string',
        importExtension: '.ts',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          AWSDate: 'string',
          AWSTime: 'string',
          AWSDateTime: 'string',
          AWSTimestamp: 'number',
          AWSEmail: 'string',
          AWSJSON: 'string',
          AWSURL: 'string',
          AWSPhone: 'string',
          AWSIPAddress: 'string',
        },
      },
    },
  },
};

export default config;
