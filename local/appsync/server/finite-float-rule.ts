/**
 * Refuses a Float literal too large for a double (`1e400`, or an integer of
 * over 308 digits where a Float goes), which graphql-js's Float reads as
 * ±Infinity without a word: the resolver then got null (JSON has no
 * Infinity) and a guard such as `minConfidence` between 0 and 100 never saw
 * the value, so the search ran unfiltered. The same value as a variable is
 * already refused (graphql-js's Float checks a variable's value, not a
 * literal's). The error is graphql-js's own for a literal a scalar refuses
 * (ValuesOfCorrectTypeRule's wording); AppSync documents nothing for it, and
 * graphql-java's Float reads such a literal as Infinity too.
 */
import { GraphQLError, GraphQLFloat, getNamedType, print, type FloatValueNode, type IntValueNode, type ValidationContext, type ValidationRule } from 'graphql';

export const finiteFloatLiterals: ValidationRule = (context: ValidationContext) => {
  const check = (node: FloatValueNode | IntValueNode) => {
    const type = context.getInputType();
    if (!type || getNamedType(type) !== GraphQLFloat || Number.isFinite(Number(node.value))) return;
    context.reportError(
      new GraphQLError(`Expected value of type "${String(type)}", found ${print(node)}; Float cannot represent a value beyond a double's range: ${print(node)}`, { nodes: node }),
    );
  };
  return { FloatValue: check, IntValue: check };
};
