import { type CostLimitOptions, costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  type ArgumentNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  TypeInfo,
  type ValueNode,
  valueFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * GraphQL Armor's cost rule with its default weights (object 2, scalar 1, ×1.5 a level), a
 * list's cost multiplied by the page it asks for. Measured (test/document-limits.test.ts): the
 * console's page of 500 deliveries with their attempts costs ~64k, one asking every field of
 * Delivery and DeliveryAttempt ~84k; 5 campaigns × 500 deliveries ~237k, 200 × 500 ~5.5M.
 */
export const costLimitValues = {
  maxCost: 120_000,
  objectCost: 2,
  scalarCost: 1,
  depthCostFactor: 1.5,
} as const satisfies CostLimitOptions;

/** The page a list field with `first` but none given returns (each service's default). */
const UNSTATED_PAGE = 50;

/**
 * The largest page any list field serves: a larger `first` is refused by the field itself with
 * INVALID_INPUT naming it, so it never reads more, and is costed as this page — a typed answer
 * about the argument instead of a cost refusal.
 */
const LARGEST_PAGE = 500;

const pageArguments = new Set(['first', 'last']);

/**
 * The document with every page size written out, so the cost rule multiplies by the page that
 * will really be read: armor counts only literal `first` values, so `first: $n` (how every
 * client sends it) or an omitted `first` (the field's default page) would otherwise count as 1.
 */
export function withPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName?: string | null,
): DocumentNode {
  return sizePages(schema, document, variables, operationName).document;
}

/** `withPageSizes`, and whether the document has any paged list field (else its cost is its own). */
function sizePages(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName?: string | null,
): { document: DocumentNode; paged: boolean } {
  let paged = false;
  const operation = getOperationAST(document, operationName ?? undefined);
  const defaults = new Map<string, ValueNode>();
  for (const v of operation?.variableDefinitions ?? []) {
    if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  }
  const literal = (value: unknown): ArgumentNode['value'] | undefined =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0
      ? { kind: Kind.INT, value: String(value) }
      : undefined;
  const typeInfo = new TypeInfo(schema);
  const sized = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const definition = typeInfo.getFieldDef();
        const pageArg = definition?.args.find((a) => pageArguments.has(a.name));
        if (!pageArg) return undefined;
        paged = true;
        const given = node.arguments?.find((a) => a.name.value === pageArg.name);
        let size: unknown;
        if (given?.value.kind === Kind.VARIABLE) {
          const name = given.value.name.value;
          size =
            variables && variables[name] != null
              ? variables[name]
              : defaults.has(name)
                ? valueFromAST(defaults.get(name)!, pageArg.type)
                : undefined;
        } else if (given) {
          if (given.value.kind === Kind.INT && Number(given.value.value) <= LARGEST_PAGE) return undefined;
          size = valueFromAST(given.value, pageArg.type);
        } else {
          size = pageArg.defaultValue;
        }
        const value = literal(
          typeof size === 'number' ? Math.min(size, LARGEST_PAGE) : (size ?? UNSTATED_PAGE),
        );
        if (!value) return undefined;
        const others = (node.arguments ?? []).filter((a) => a !== given);
        return {
          ...node,
          arguments: [
            ...others,
            { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: pageArg.name }, value },
          ],
        };
      },
    }),
  );
  return { document: sized, paged };
}

/**
 * Costs of documents without a paged list field, by schema, document and operation: those never
 * depend on the variables, and yoga's parser cache hands the same document object to each request
 * of the same text. Hand-written: weighing `recordInboundMessage` cost ~0.24 ms of CPU a request
 * (bench/events, replies over GraphQL), a lookup nothing.
 */
const fixedCosts = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();

/** The cost GraphQL Armor gives the operation with its real page sizes, and whether it passes. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName?: string | null,
  maxCost: number = costLimitValues.maxCost,
): { cost: number; allowed: boolean } {
  const byDocument = fixedCosts.get(schema) ?? new WeakMap<DocumentNode, Map<string, number>>();
  fixedCosts.set(schema, byDocument);
  const known = byDocument.get(document)?.get(operationName ?? '');
  if (known !== undefined) return { cost: known, allowed: known <= maxCost };
  const { document: sized, paged } = sizePages(schema, document, variables, operationName);
  let cost = 0;
  // Unbounded here, so the rule reports the cost itself; the limit is applied below.
  const rule = costLimitRule({
    ...costLimitValues,
    maxCost: Number.POSITIVE_INFINITY,
    onAccept: [(_ctx, { n }) => (cost = Math.max(cost, n))],
  });
  const operation = getOperationAST(sized, operationName ?? undefined);
  // The rule walks one operation: only the one that runs is judged.
  const only: DocumentNode = {
    ...sized,
    definitions: sized.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation),
  };
  visitCost(schema, only, rule);
  if (!paged) {
    const byOperation = byDocument.get(document) ?? new Map<string, number>();
    byOperation.set(operationName ?? '', cost);
    byDocument.set(document, byOperation);
  }
  return { cost, allowed: cost <= maxCost };
}

function visitCost(schema: GraphQLSchema, document: DocumentNode, rule: ReturnType<typeof costLimitRule>) {
  // The rule needs a ValidationContext only for getFragment.
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const context = { getFragment: (name: string) => fragments.get(name), getSchema: () => schema };
  const visitor = rule(context as never);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) visitor.onOperationDefinitionEnter(definition);
  }
}

/**
 * Refuses an operation whose cost, with the page sizes it really asks for, is over the limit:
 * BAD_USER_INPUT with `extensions.cost` and `maxCost`, before any resolver runs (HTTP, SSE and
 * graphql-ws all execute through here).
 */
export function useCostLimit(maxCost: number = costLimitValues.maxCost): Plugin {
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    variableValues?: Record<string, unknown> | null | undefined;
    operationName?: string | null | undefined;
  }): GraphQLError | undefined => {
    const { cost, allowed } = operationCost(
      args.schema,
      args.document,
      args.variableValues,
      args.operationName,
      maxCost,
    );
    if (allowed) return undefined;
    return new GraphQLError(
      `the query costs ${Math.round(cost)}, over the limit of ${maxCost}: ask for smaller pages or fewer nested lists`,
      { extensions: { code: 'BAD_USER_INPUT', limit: 'cost', cost: Math.round(cost), maxCost } },
    );
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
