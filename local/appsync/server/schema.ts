/**
 * The schema the local AppSync serves, and what AppSync reads from its
 * directives: which auth modes may read each field (`@aws_api_key`,
 * `@aws_iam`, on fields or object types) and which mutations publish to
 * which subscriptions (`@aws_subscribe`).
 */
import { buildASTSchema, concatAST, parse, valueFromASTUntyped, type ConstDirectiveNode, type GraphQLSchema } from 'graphql';
import { appSyncBuiltins, composeSchemaDocument } from '../../../api/schema.ts';
import { assertNoSchemaDefaults } from '../../../api/schema-defaults.ts';
import { AuthMode, defaultAuthMode, localAuthModes } from '../../../api/manifest.ts';
import { appSyncDefaultLimits, type GraphQLLimits } from './limits.ts';
import { installAppSyncScalars } from './scalars.ts';

const modeOfDirective: Readonly<Record<string, AuthMode>> = {
  aws_api_key: AuthMode.API_KEY,
  aws_iam: AuthMode.IAM,
  aws_cognito_user_pools: AuthMode.USER_POOL,
};

export interface ServedSchema {
  readonly schema: GraphQLSchema;
  /** Modes allowed to read `Type.field`. */
  modesFor(typeName: string, fieldName: string): readonly AuthMode[];
  /** Whether `mode` may read `Type.field`: modesFor, without building a list. */
  allows(mode: AuthMode, typeName: string, fieldName: string): boolean;
  /** Subscription fields a mutation field publishes to. */
  subscriptionsOf(mutationField: string): readonly string[];
  /** Query depth, resolver count and introspection, as the API's settings say. */
  readonly limits: GraphQLLimits;
}

const modesOf = (directives: readonly ConstDirectiveNode[] | undefined): AuthMode[] =>
  (directives ?? []).flatMap((directive) => {
    const mode = modeOfDirective[directive.name.value];
    return mode ? [mode] : [];
  });

/**
 * Builds the served schema from api/schema.ts (schema.graphql plus the
 * manifest's auth) and AppSync's builtins. `sdl` replaces schema.graphql, for tests.
 */
export function buildServedSchema(
  args: { readonly authModes?: readonly AuthMode[]; readonly sdl?: string; readonly limits?: GraphQLLimits } = {},
): ServedSchema {
  const authModes = args.authModes ?? localAuthModes;
  const document = concatAST([composeSchemaDocument({ authModes, sdl: args.sdl }), parse(appSyncBuiltins)]);
  assertNoSchemaDefaults(document); // AppSync ignores default values; graphql-js would apply them.
  const schema = buildASTSchema(document);
  installAppSyncScalars(schema);

  // AppSync: a field's own directives win; else its type's; else the default mode.
  // By type then field, as sets: every field of a response is checked, so no key is built per check.
  const allowed = new Map<string, Map<string, ReadonlySet<AuthMode>>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !('getFields' in type) || !type.astNode || type.astNode.kind !== 'ObjectTypeDefinition') continue;
    const typeModes = modesOf(type.astNode.directives);
    const fieldsAllowed = new Map<string, ReadonlySet<AuthMode>>();
    for (const field of Object.values(type.getFields())) {
      const fieldModes = modesOf(field.astNode?.directives);
      const effective = fieldModes.length > 0 ? fieldModes : typeModes.length > 0 ? typeModes : [defaultAuthMode];
      fieldsAllowed.set(field.name, new Set(effective));
    }
    allowed.set(type.name, fieldsAllowed);
  }
  // Introspection and meta fields are open to every mode, as on AppSync.
  const openToAll = new Set(authModes);
  const allowedModes = (typeName: string, fieldName: string) => allowed.get(typeName)?.get(fieldName) ?? openToAll;

  const subscriptionsByMutation = new Map<string, string[]>();
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.astNode?.directives?.find((directive) => directive.name.value === 'aws_subscribe');
    const mutationsArg = subscribe?.arguments?.find((arg) => arg.name.value === 'mutations');
    const mutations = mutationsArg ? valueFromASTUntyped(mutationsArg.value) : [];
    for (const mutation of Array.isArray(mutations) ? mutations : []) {
      if (typeof mutation !== 'string') continue;
      subscriptionsByMutation.set(mutation, [...(subscriptionsByMutation.get(mutation) ?? []), field.name]);
    }
  }

  return {
    schema,
    modesFor: (typeName, fieldName) => [...allowedModes(typeName, fieldName)],
    allows: (mode, typeName, fieldName) => allowedModes(typeName, fieldName).has(mode),
    subscriptionsOf: (mutationField) => subscriptionsByMutation.get(mutationField) ?? [],
    limits: args.limits ?? appSyncDefaultLimits,
  };
}
