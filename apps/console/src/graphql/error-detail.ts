import { type ErrorLike, errorCodes } from './error-code.js';

export interface ErrorDetail {
  code: string;
  /** The server's own message, shown beside the translated sentence for the code. */
  message: string;
}

/** Each error of a result with its code and the server's message, distinct by both. */
export function errorDetails(error: ErrorLike | null | undefined): ErrorDetail[] {
  if (!error) return [];
  const details: ErrorDetail[] = error.graphQLErrors.map((graphQLError) => {
    const code = graphQLError.extensions?.code;
    return {
      code: typeof code === 'string' && code !== '' ? code : 'UNKNOWN',
      message: graphQLError.message,
    };
  });
  if (details.length === 0) {
    const message = error.networkError?.message ?? '';
    for (const code of errorCodes(error)) details.push({ code, message });
  }
  const seen = new Set<string>();
  return details.filter((detail) => {
    const key = `${detail.code}\u0000${detail.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
