/**
 * Default values in the schema: AppSync accepts `= value` on input fields and
 * field arguments but never applies them (the resolver sees the argument
 * missing; aws/aws-appsync-community#59), while graphql-js, which serves the
 * schema offline, does apply them. A default would make the offline stack
 * answer what AWS does not, so the offline stack refuses any at start.
 */
import { Kind, visit, type DocumentNode, type InputValueDefinitionNode } from 'graphql';

/** Where the schema breaks one of AppSync's rules. */
export interface SchemaLocation {
  /** The schema coordinate, e.g. `Type.field`. */
  readonly coordinate: string;
  /** 1-based line in the SDL, when the document has locations. */
  readonly line?: number;
}

export interface SchemaDefault extends SchemaLocation {
  /** `Type.field` of an input field, or `Type.field(argument)` of an argument. */
  readonly coordinate: string;
}

/** Base error of the schema's AppSync rules checked offline. */
export class SchemaRuleError extends Error {
  public override readonly name: string = 'SchemaRuleError';

  /** The message of a rule broken at `found`: `<source> <what>:`, each place on a line of its own, then `remedy`. */
  protected static listing(source: string, what: string, found: readonly SchemaLocation[], remedy: string): string {
    return `${source} ${what}:\n${found.map((place) => `  ${source}${place.line ? `:${place.line}` : ''} ${place.coordinate}`).join('\n')}\n${remedy}`;
  }
}

export class SchemaDefaultValueError extends SchemaRuleError {
  public override readonly name = 'SchemaDefaultValueError';
  public constructor(
    public readonly defaults: readonly SchemaDefault[],
    /** The file the SDL came from, for the message. */
    source = 'schema.graphql',
  ) {
    super(
      SchemaRuleError.listing(
        source,
        'declares default values, which AppSync ignores (resolvers would see the value missing on AWS)',
        defaults,
        'Remove them and let the resolver or the caller supply the value.',
      ),
    );
  }
}

/** Every input field and field argument with a default value, in document order. */
export function findSchemaDefaults(document: DocumentNode): SchemaDefault[] {
  const found: SchemaDefault[] = [];
  const record = (node: InputValueDefinitionNode, coordinate: string) => {
    if (node.defaultValue) found.push({ coordinate, ...(node.loc ? { line: node.loc.startToken.line } : {}) });
  };
  const visitType = (node: { name: { value: string }; fields?: readonly unknown[] }, kind: 'input' | 'object') => {
    for (const field of (node.fields ?? []) as readonly (InputValueDefinitionNode & { arguments?: readonly InputValueDefinitionNode[] })[]) {
      const coordinate = `${node.name.value}.${field.name.value}`;
      if (kind === 'input') record(field, coordinate);
      for (const argument of field.arguments ?? []) record(argument, `${coordinate}(${argument.name.value})`);
    }
  };
  visit(document, {
    [Kind.INPUT_OBJECT_TYPE_DEFINITION]: (node) => visitType(node, 'input'),
    [Kind.INPUT_OBJECT_TYPE_EXTENSION]: (node) => visitType(node, 'input'),
    [Kind.OBJECT_TYPE_DEFINITION]: (node) => visitType(node, 'object'),
    [Kind.OBJECT_TYPE_EXTENSION]: (node) => visitType(node, 'object'),
    [Kind.INTERFACE_TYPE_DEFINITION]: (node) => visitType(node, 'object'),
    [Kind.INTERFACE_TYPE_EXTENSION]: (node) => visitType(node, 'object'),
  });
  return found;
}

/** Throws SchemaDefaultValueError when the document declares any default value. */
export function assertNoSchemaDefaults(document: DocumentNode, source?: string): void {
  const defaults = findSchemaDefaults(document);
  if (defaults.length > 0) throw new SchemaDefaultValueError(defaults, source);
}
