import { buildSchema, getDirectiveValues, GraphQLDirective, DirectiveLocation, GraphQLList, GraphQLNonNull, GraphQLString, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AuthMode, fields } from '../../api/manifest.ts';
import { appSyncBuiltins, composeSchema } from '../../api/schema.ts';

const allModes = [AuthMode.API_KEY, AuthMode.IAM, AuthMode.USER_POOL];

describe('Function: composeSchema', () => {
  it('gives each root field the directives of the modes the manifest names', () => {
    // Act
    const sdl = composeSchema({ authModes: allModes });

    // Assess
    expect(sdl).toMatch(/publishImageLabeled\(input: ImageLabeledInput!\): Image @aws_iam\n/);
    expect(sdl).toMatch(/requestUpload\(input: RequestUploadInput!\): UploadTicket! @aws_api_key @aws_cognito_user_pools\n/);
    expect(sdl).toMatch(/onImageLabeled\(imageId: ID\): Image @aws_subscribe\(mutations: \["publishImageLabeled"\]\) @aws_api_key @aws_cognito_user_pools/);
  });

  it('gives every non-root object type all the API modes, as AppSync checks returned types too', () => {
    const sdl = composeSchema({ authModes: allModes });
    for (const type of ['Image', 'Label', 'Instance', 'BoundingBox', 'HttpHeader', 'UploadTicket', 'ImageConnection']) {
      expect(sdl).toContain(`type ${type} @aws_api_key @aws_iam @aws_cognito_user_pools {`);
    }
  });

  it('leaves out modes the API does not have (here: no Cognito)', () => {
    const sdl = composeSchema({ authModes: [AuthMode.API_KEY, AuthMode.IAM] });
    expect(sdl).not.toContain('aws_cognito_user_pools');
    const schema = buildSchema(`${appSyncBuiltins}\n${sdl}`);
    const field = schema.getMutationType()?.getFields().requestUpload;
    expect(field?.astNode?.directives?.map((directive) => directive.name.value)).toEqual(['aws_api_key']);
  });

  it('wires every root field of schema.graphql, and otherwise only fields with their own resolver', () => {
    const schema = buildSchema(`${appSyncBuiltins}\n${composeSchema({ authModes: allModes })}`);
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}).map((name) => `${type?.name}.${name}`),
    );
    const rootWiring = fields.filter((field) => ['Query', 'Mutation', 'Subscription'].includes(field.typeName));
    expect(rootFields.sort()).toEqual(rootWiring.map((field) => `${field.typeName}.${field.fieldName}`).sort());
    const nested = fields.filter((field) => !rootWiring.includes(field));
    expect(nested.map((field) => `${field.typeName}.${field.fieldName}`).sort()).toEqual(['Image.thumbnailUrl', 'Image.url']);
    for (const field of nested) expect(Object.keys((schema.getType(field.typeName) as GraphQLObjectType).getFields())).toContain(field.fieldName);
  });

  it('throws when schema.graphql has a root field the manifest does not wire', () => {
    const sdl = 'type Query { image(id: ID!): String\n imagesByLabel(label: String!): String\n secret: String }';
    expect(() => composeSchema({ authModes: allModes, sdl })).toThrow(/Query.secret has no wiring/);
  });

  it('reads the subscription trigger from @aws_subscribe', () => {
    const schema = buildSchema(`${appSyncBuiltins}\n${composeSchema({ authModes: allModes })}`);
    const field = schema.getSubscriptionType()?.getFields().onImageLabeled;
    const awsSubscribe = new GraphQLDirective({
      name: 'aws_subscribe',
      locations: [DirectiveLocation.FIELD_DEFINITION],
      args: { mutations: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))) } },
    });
    expect(getDirectiveValues(awsSubscribe, field!.astNode!)).toEqual({ mutations: ['publishImageLabeled'] });
  });
});
