import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fragmentsOf } from '../../local/appsync/server/documents.ts';
import { selectionSetInfo } from '../../local/appsync/server/selection-set.ts';

const rootField = (query: string) => {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  return { field: operation.selectionSet.selections[0] as FieldNode, fragments: fragmentsOf(document) };
};

describe('selectionSetInfo', () => {
  it('lists nested fields as paths, aliases by alias, fragments expanded', () => {
    const { field, fragments } = rootField(`
      query Q($id: ID!) {
        image(id: $id) {
          id
          __typename
          name: fileName
          labels { name instances { confidence } }
          ... on Image { status }
          ...More
        }
      }
      fragment More on Image { createdAt labels { name } }`);
    const info = selectionSetInfo(field, fragments);
    expect(info.selectionSetList).toEqual([
      'id',
      'name',
      'labels',
      'labels/name',
      'labels/instances',
      'labels/instances/confidence',
      'status',
      'createdAt',
    ]);
  });

  it('prints the selection set as written, like AppSync', () => {
    const { field, fragments } = rootField('mutation { publishImageLabeled(input: $input) { id field1: status } }');
    expect(selectionSetInfo(field, fragments).selectionSetGraphQL).toBe('{\n  id\n  field1: status\n}');
  });

  it('gives an empty selection for a scalar field', () => {
    const { field, fragments } = rootField('{ __typename }');
    expect(selectionSetInfo(field, fragments)).toEqual({ selectionSetList: [], selectionSetGraphQL: '' });
  });
});
