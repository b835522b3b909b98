import { QunfaError } from '@qunfa/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';
import { selectedRootFields } from './root-fields.js';

function refusal(fields: string[]): GraphQLError {
  const error = new QunfaError('FORBIDDEN', `this key may not call ${fields.join(', ')}`, {
    details: { operations: fields },
  });
  return new GraphQLError(error.message, { extensions: { code: error.code, details: error.details } });
}

/**
 * Holds an operation-scoped key to its root fields: an operation selecting any other is
 * refused as a whole with FORBIDDEN before a resolver runs (over HTTP, SSE and graphql-ws).
 */
export function useOperationScope(): Plugin<GraphQLContext> {
  const check = (args: {
    document: Parameters<typeof selectedRootFields>[0];
    operationName?: string | null;
    contextValue: unknown;
  }) => {
    const allowed = (args.contextValue as GraphQLContext).principal?.operations;
    if (!allowed) return undefined;
    const outside = selectedRootFields(args.document, args.operationName).filter((f) => !allowed.includes(f));
    return outside.length > 0 ? refusal(outside) : undefined;
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
