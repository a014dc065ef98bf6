/**
 * Schema syntax graphql-js accepts but AppSync's schema parser does not, so
 * the offline stack would serve a schema AWS refuses to deploy. Checked where
 * the schema is composed (api/schema.ts), which both the local AppSync and
 * infra/ go through, so `npm start` and `cdk synth` refuse it alike.
 *
 * Only what is documented is checked (not guessed from the spec):
 * - a description on an enum value: "descriptions for now are only permitted
 *   on the whole enum declaration, not on specific enum values" (an AppSync
 *   team member on aws/aws-appsync-community#55, open; see also
 *   sid88in/serverless-appsync-plugin#453).
 *
 * `#` comments, which break AppSync's parser inside an enum too (same issue),
 * never reach it: the deployed schema is graphql-js's print() of the composed
 * document (composeSchema), and print() drops comments.
 */
import { Kind, visit, type DocumentNode, type EnumTypeDefinitionNode, type EnumTypeExtensionNode } from 'graphql';
import { SchemaRuleError, type SchemaLocation } from './schema-defaults.ts';

export interface UnsupportedSyntax extends SchemaLocation {
  /** `Enum.VALUE` of the value that carries the description. */
  readonly coordinate: string;
}

export class EnumValueDescriptionError extends SchemaRuleError {
  public override readonly name = 'EnumValueDescriptionError';
  public constructor(
    public readonly found: readonly UnsupportedSyntax[],
    /** The file the SDL came from, for the message. */
    source = 'schema.graphql',
  ) {
    super(
      SchemaRuleError.listing(
        source,
        "describes enum values, which AppSync's schema parser does not support (descriptions are allowed on the enum, not on its values; aws/aws-appsync-community#55)",
        found,
        "Move each value's description into the enum's own description.",
      ),
    );
  }
}

/** Every enum value with a description, in document order. */
export function findEnumValueDescriptions(document: DocumentNode): UnsupportedSyntax[] {
  const found: UnsupportedSyntax[] = [];
  const visitEnum = (node: EnumTypeDefinitionNode | EnumTypeExtensionNode) => {
    for (const value of node.values ?? []) {
      if (!value.description) continue;
      found.push({ coordinate: `${node.name.value}.${value.name.value}`, ...(value.name.loc ? { line: value.name.loc.startToken.line } : {}) });
    }
  };
  visit(document, { [Kind.ENUM_TYPE_DEFINITION]: visitEnum, [Kind.ENUM_TYPE_EXTENSION]: visitEnum });
  return found;
}

/** Throws EnumValueDescriptionError when the document has syntax AppSync's schema parser refuses. */
export function assertAppSyncSchemaSyntax(document: DocumentNode, source?: string): void {
  const found = findEnumValueDescriptions(document);
  if (found.length > 0) throw new EnumValueDescriptionError(found, source);
}
