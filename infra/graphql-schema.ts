/** An AppSync schema from an SDL string (api/schema.ts composes it), no file asset needed. */
import { Fn } from 'aws-cdk-lib/core';
import type { ISchema, ISchemaConfig } from 'aws-cdk-lib/aws-appsync';
import type { aws_appsync as appsyncRefs } from 'aws-cdk-lib/interfaces';

export class SdlSchema implements ISchema {
  public constructor(public readonly definition: string) {
    if (definition.trim() === '') throw new Error('schema definition is empty');
  }

  public bind(api: appsyncRefs.IGraphQLApiRef): ISchemaConfig {
    // A GraphqlApi has apiId; any other reference only its ARN: arn:...:apis/<id>.
    const apiId =
      'apiId' in api && typeof api.apiId === 'string'
        ? api.apiId
        : Fn.select(1, Fn.split('/', api.graphQlApiRef.graphQlApiArn));
    return { apiId, definition: this.definition };
  }
}
