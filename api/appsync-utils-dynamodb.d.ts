/**
 * Types for `import … from '@aws-appsync/utils/dynamodb'` (the runtime's
 * built-in DynamoDB module, as AppSync's docs import it). The npm package has
 * no `exports` map, so under NodeNext resolution only the `.js` subpath finds
 * its `dynamodb.d.ts`; this declares the documented name as that module.
 */
declare module '@aws-appsync/utils/dynamodb' {
  export * from '@aws-appsync/utils/dynamodb.js';
}
