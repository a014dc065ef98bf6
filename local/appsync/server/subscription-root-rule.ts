/**
 * graphql-js's SingleFieldSubscriptionsRule, with the spec's check that a
 * subscription's root field is not skipped or included by a directive
 * (GraphQL spec, "Single Root Field": the root field is collected without
 * the request's variables, so `@skip`/`@include` there would make the
 * subscribed field depend on them). graphql-js 17 validates it, with this
 * message; AppSync's own wording is not documented.
 *
 * graphql-js 16, which the local server runs, lacks the check, and the
 * document failed two ways: `@skip(if: true)` passed validation and its
 * subscribe() then threw on the missing root field, and `@include(if: $on)`
 * made the rule itself throw, collecting fields without the variable. Either
 * way the client got an internal failure instead of a validation error. So
 * the check runs first and graphql-js's rule only on documents it passes.
 *
 * Looks through the operation's top-level selections, into inline fragments
 * and spread fragments (each once, without recursion: a fragment chain
 * cannot overflow the stack).
 */
import {
  GraphQLError,
  Kind,
  SingleFieldSubscriptionsRule,
  type ASTNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

const conditional = new Set(['skip', 'include']);

/** The top-level selections of a subscription that carry @skip or @include. */
function conditionalRootSelections(context: ValidationContext, operation: OperationDefinitionNode): ASTNode[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const pending: SelectionSetNode[] = [operation.selectionSet];
  const expanded = new Set<string>();
  const offending: ASTNode[] = [];
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.directives?.some((directive) => conditional.has(directive.name.value))) offending.push(selection);
      if (selection.kind === Kind.INLINE_FRAGMENT) pending.push(selection.selectionSet);
      if (selection.kind === Kind.FRAGMENT_SPREAD && !expanded.has(selection.name.value)) {
        expanded.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  return offending;
}

type OperationVisit = (node: OperationDefinitionNode) => void;

/** Use in place of graphql-js's SingleFieldSubscriptionsRule. */
export const singleFieldSubscriptions: ValidationRule = (context) => {
  // graphql-js's rule visits OperationDefinition only, with a plain function.
  const graphqlJsRule = SingleFieldSubscriptionsRule(context) as { OperationDefinition?: OperationVisit };
  return {
    OperationDefinition(operation) {
      if (operation.operation === 'subscription') {
        const offending = conditionalRootSelections(context, operation);
        if (offending.length > 0) {
          const subject = operation.name ? `Subscription "${operation.name.value}"` : 'Anonymous Subscription';
          context.reportError(new GraphQLError(`${subject} must not use \`@skip\` or \`@include\` directives in the top level selection.`, { nodes: offending }));
          return;
        }
      }
      graphqlJsRule.OperationDefinition?.call(graphqlJsRule, operation);
    },
  };
};
