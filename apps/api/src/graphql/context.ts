import type { Principal } from '../auth/roles.js';
import type { ServiceDeps } from '../services/deps.js';
import type { Owner } from '../services/tenancy/owner.js';

export interface GraphQLContext {
  /** The caller, or null without a valid key (every field then answers UNAUTHENTICATED). */
  principal: Principal | null;
  /** Set when the caller presented the instance owner key (QUNFA_OWNER_KEY). */
  owner?: Owner | null;
  deps: ServiceDeps;
}
