import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Deepest nesting of objects and arrays an input may have (attributes, audiences, variables). */
export const MAX_INPUT_DEPTH = 64;

const NUL = '\u0000';
const nulProblem = 'a NUL character (U+0000), which cannot be stored';

/** Why a value cannot be stored, walked without recursion (a deep value must not overflow the stack). */
export function unstorable(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) return nulProblem;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `nesting deeper than ${MAX_INPUT_DEPTH} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    // Uploaded files and other class instances are not plain input data.
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) continue;
    for (const [key, item] of Object.entries(v)) {
      if (key.includes(NUL)) return nulProblem;
      stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function documentProblem(document: DocumentNode): string | undefined {
  let problem: string | undefined;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(NUL)) return undefined;
      problem = nulProblem;
      return BREAK;
    },
  });
  return problem;
}

function refusal(problem: string): GraphQLError {
  return new GraphQLError(`input holds ${problem}`, {
    extensions: { code: 'INVALID_INPUT', details: { field: '(input)' } },
  });
}

/**
 * Refuses, before any resolver runs and with INVALID_INPUT, input that no table can hold: a
 * NUL character in any string (PostgreSQL text and jsonb reject it) or values nested deeper
 * than MAX_INPUT_DEPTH (which overflowed the stack on the way to the database).
 */
export function useStorableInput(): Plugin {
  const check = (args: { document: DocumentNode; variableValues?: unknown }) => {
    const problem = unstorable(args.variableValues ?? {}) ?? documentProblem(args.document);
    return problem ? refusal(problem) : undefined;
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
