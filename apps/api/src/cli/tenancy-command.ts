import { parseArgs } from 'node:util';
import { isQunfaError } from '@qunfa/core';
import type { Principal } from '../auth/roles.js';
import type { AppConfig } from '../config.js';
import { type Database, openDatabase } from '../db/database.js';
import { issueApiKey, listApiKeys, revokeApiKey } from '../services/tenancy/api-keys.js';
import { changeMemberRole, inviteMember, listMembers } from '../services/tenancy/members.js';
import { createWorkspace, listWorkspaces, updateWorkspace } from '../services/tenancy/workspaces.js';

export const TENANCY_USAGE = `usage: qunfa workspace create --name <name> [--time-zone <IANA>]
       qunfa workspace list
       qunfa workspace rename --workspace <id> --name <name>
       qunfa workspace separation --workspace <id> --on|--off
       qunfa member invite --workspace <id> --name <name> --role <role> [--email <email>]
       qunfa member list --workspace <id>
       qunfa member role --workspace <id> --id <member id> --role <role>
       qunfa key issue --workspace <id> --name <name> (--role <role> | --member <id>)
                       [--read-only] [--operation <root field>]… [--rate-limit <per minute>]
       qunfa key list --workspace <id>
       qunfa key revoke --workspace <id> --id <key id>
Results are JSON on stdout; a key's secret is printed once, when issued.`;

const options = {
  name: { type: 'string' },
  'time-zone': { type: 'string' },
  workspace: { type: 'string' },
  on: { type: 'boolean' },
  off: { type: 'boolean' },
  role: { type: 'string' },
  email: { type: 'string' },
  id: { type: 'string' },
  member: { type: 'string' },
  'read-only': { type: 'boolean' },
  operation: { type: 'string', multiple: true },
  'rate-limit': { type: 'string' },
} as const;

/** The CLI acts for the instance owner, and inside a workspace as its administrator. */
function adminOf(workspace: string | undefined): Principal {
  const workspaceId = Number(workspace);
  if (!Number.isSafeInteger(workspaceId) || workspaceId <= 0)
    throw new UsageError('--workspace <id> is required');
  return { workspaceId, role: 'admin', keyId: 0, keyName: 'qunfa CLI', userId: null, access: 'full' };
}

class UsageError extends Error {}

async function checkOperations(names: readonly string[]): Promise<void> {
  const [{ schema }, { checkRootFields }] = await Promise.all([
    import('../graphql/schema/index.js'),
    import('../graphql/root-fields.js'),
  ]);
  checkRootFields(schema, names);
}

async function run(
  db: Database['db'],
  noun: string,
  verb: string,
  v: Record<string, unknown>,
): Promise<unknown> {
  const owner = { owner: true } as const;
  const str = (k: string) => v[k] as string | undefined;
  switch (`${noun} ${verb}`) {
    case 'workspace create': {
      const made = await createWorkspace(db, owner, {
        name: str('name') ?? '',
        timeZone: str('time-zone') ?? null,
      });
      return { workspace: made.workspace, adminKey: made.adminKey };
    }
    case 'workspace list':
      return listWorkspaces(db, owner);
    case 'workspace rename':
      return updateWorkspace(db, adminOf(str('workspace')), { name: str('name') ?? '' });
    case 'workspace separation':
      if (!v.on === !v.off) throw new UsageError('give --on or --off');
      return updateWorkspace(db, adminOf(str('workspace')), { separationOfDuties: Boolean(v.on) });
    case 'member invite':
      return inviteMember(db, adminOf(str('workspace')), {
        name: str('name') ?? '',
        email: str('email') ?? null,
        role: str('role') ?? '',
      });
    case 'member list':
      return listMembers(db, adminOf(str('workspace')));
    case 'member role':
      return changeMemberRole(db, adminOf(str('workspace')), str('id') ?? '', str('role') ?? '');
    case 'key issue': {
      const operations = v.operation as string[] | undefined;
      if (operations?.length) await checkOperations(operations);
      const issued = await issueApiKey(
        db,
        adminOf(str('workspace')),
        {
          name: str('name') ?? '',
          role: (str('role') ?? null) as never,
          memberId: str('member') ?? null,
          access: v['read-only'] ? 'read_only' : 'full',
          operations: operations?.length ? operations : null,
          rateLimitPerMinute: str('rate-limit') === undefined ? null : Number(str('rate-limit')),
        },
        () => undefined,
      );
      return { ...issued.apiKey, secret: issued.secret };
    }
    case 'key list':
      return listApiKeys(db, adminOf(str('workspace')));
    case 'key revoke':
      return revokeApiKey(db, adminOf(str('workspace')), str('id') ?? '');
    default:
      throw new UsageError(`unknown command "${noun} ${verb}"`);
  }
}

/** `qunfa workspace|member|key …`: tenancy for scripts, with the same services and checks as GraphQL. */
export async function tenancyCommand(noun: string, args: string[], config: AppConfig): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>
  >;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${TENANCY_USAGE}\n`);
    return 2;
  }
  const verb = parsed.positionals[0] ?? '';
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  try {
    const result = await run(database.db, noun, verb, parsed.values);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${TENANCY_USAGE}\n`);
      return 2;
    }
    if (isQunfaError(error)) {
      process.stderr.write(`refused (${error.code}): ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
