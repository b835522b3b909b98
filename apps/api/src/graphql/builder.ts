import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    /** A multipart upload (graphql-multipart-request-spec), as graphql-yoga hands it over. */
    File: { Input: { name: string; stream(): ReadableStream<Uint8Array> }; Output: never };
  };
}>({
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
});
