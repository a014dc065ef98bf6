/**
 * Builds the schema AppSync serves: schema.graphql plus the per-field auth
 * directives declared in the manifest. infra/ deploys the result; local/
 * serves it after adding AppSync's built-in scalars and directives.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { assertAppSyncSchemaSyntax } from './appsync-schema-syntax.ts';
import { AuthMode, fieldsByCoordinate } from './manifest.ts';

export const schemaPath = fileURLToPath(new URL('../schema.graphql', import.meta.url));

const directiveForMode: Record<AuthMode, string> = {
  [AuthMode.API_KEY]: 'aws_api_key',
  [AuthMode.IAM]: 'aws_iam',
  [AuthMode.USER_POOL]: 'aws_cognito_user_pools',
};

const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);

const directive = (name: string): ConstDirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: name },
  arguments: [],
});

const authDirectives = (modes: readonly AuthMode[], enabled: readonly AuthMode[]) =>
  modes.filter((mode) => enabled.includes(mode)).map((mode) => directive(directiveForMode[mode]));

export interface ComposeSchemaArgs {
  /** The authorization modes the API has (default first). */
  readonly authModes: readonly AuthMode[];
  /** SDL to start from; schema.graphql when omitted. */
  readonly sdl?: string;
}

/**
 * schema.graphql with `@aws_*` auth directives: each root field gets the modes
 * the manifest names (those the API has), every other object type gets all
 * the API's modes, since AppSync checks a returned type's modes too.
 * Throws when a root field has no wiring, or wiring names a missing field,
 * and when the SDL uses syntax AppSync's parser refuses (appsync-schema-syntax.ts):
 * the local AppSync and `cdk synth` both compose here, so both refuse it.
 */
export function composeSchemaDocument(args: ComposeSchemaArgs): DocumentNode {
  const document = parse(args.sdl ?? readFileSync(schemaPath, 'utf8'));
  assertAppSyncSchemaSyntax(document, args.sdl === undefined ? 'schema.graphql' : 'the schema');
  const seen = new Set<string>();
  const withAuth = visit(document, {
    ObjectTypeDefinition(node: ObjectTypeDefinitionNode): ObjectTypeDefinitionNode {
      if (!rootTypes.has(node.name.value)) {
        // A field with its own resolver (e.g. Image.url) is marked seen; the type's modes cover it.
        for (const field of node.fields ?? []) {
          const coordinate = `${node.name.value}.${field.name.value}`;
          if (fieldsByCoordinate.has(coordinate)) seen.add(coordinate);
        }
        return { ...node, directives: [...(node.directives ?? []), ...authDirectives(args.authModes, args.authModes)] };
      }
      const fields = (node.fields ?? []).map((field): FieldDefinitionNode => {
        const coordinate = `${node.name.value}.${field.name.value}`;
        const wiring = fieldsByCoordinate.get(coordinate);
        if (!wiring) throw new Error(`schema field ${coordinate} has no wiring in api/manifest.ts`);
        seen.add(coordinate);
        return { ...field, directives: [...(field.directives ?? []), ...authDirectives(wiring.auth, args.authModes)] };
      });
      return { ...node, fields };
    },
  });
  for (const coordinate of fieldsByCoordinate.keys()) {
    if (!seen.has(coordinate)) throw new Error(`api/manifest.ts wires ${coordinate}, which schema.graphql lacks`);
  }
  return withAuth;
}

/** The SDL to deploy to AppSync. */
export const composeSchema = (args: ComposeSchemaArgs): string => print(composeSchemaDocument(args));

/**
 * AppSync's built-in scalars and directives, which AppSync declares itself;
 * a plain GraphQL server needs them spelled out.
 */
export const appSyncBuiltins = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
`;
