import { authenticate, bearerToken } from '../auth/api-keys.js';
import type { Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';

const resolved = new WeakMap<Request, Promise<Principal | null>>();

/**
 * The principal of a GraphQL request's bearer key, looked up once per request: the persisted
 * operations plugin and the context both need it, and each asked the database on its own (two
 * selects of api_keys per request, seen in bench/events).
 */
export function requestPrincipal(db: Db, request: Request): Promise<Principal | null> {
  let principal = resolved.get(request);
  if (!principal) {
    principal = authenticate(db, bearerToken(request.headers.get('authorization')));
    resolved.set(request, principal);
  }
  return principal;
}
