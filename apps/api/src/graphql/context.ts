import type { Principal } from '../auth/roles.js';
import type { ServiceDeps } from '../services/deps.js';

export interface GraphQLContext {
  /** The caller, or null without a valid key (every field then answers UNAUTHENTICATED). */
  principal: Principal | null;
  deps: ServiceDeps;
}
