import { QunfaError } from '@qunfa/core';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/** Every root field of the schema: what an operation-scoped key may be limited to. */
export function rootFieldNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(type?.getFields() ?? {})) names.add(name);
  }
  return names;
}

/** Refuses names that are not root fields, so a typo cannot silently lock a key out. */
export function checkRootFields(schema: GraphQLSchema, names: readonly string[]): void {
  const known = rootFieldNames(schema);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new QunfaError(
      'INVALID_INPUT',
      `operations: not root fields of the schema: ${unknown.join(', ')}`,
      {
        details: { field: 'operations', unknown },
      },
    );
  }
}

/** The root fields an operation selects, through fragments; introspection fields left out. */
export function selectedRootFields(document: DocumentNode, operationName?: string | null): string[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) names.add(s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...names];
}
