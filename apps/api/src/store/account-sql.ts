import type { AccountHealth, AccountHealthState, Actor } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { auditLog, senderAccounts } from '../db/schema/index.js';

export async function readAccountHealth(db: Db, channel: string): Promise<AccountHealth[]> {
  const found = await db.select().from(senderAccounts).where(eq(senderAccounts.channel, channel));
  return found.map((r) => ({
    channel: r.channel,
    account: r.account,
    state: r.state as AccountHealthState,
    until: r.until,
    reason: r.reason,
    updatedAt: r.updatedAt,
  }));
}

/** Upserts an account's health and audits it (under no workspace: accounts are the deployment's). */
export function writeAccountHealth(db: Db, health: AccountHealth, actor: Actor): Promise<void> {
  return db.transaction(async (tx) => {
    const values = {
      channel: health.channel,
      account: health.account,
      state: health.state,
      until: health.until,
      reason: health.reason,
      updatedAt: health.updatedAt,
    };
    await tx
      .insert(senderAccounts)
      .values(values)
      .onConflictDoUpdate({ target: [senderAccounts.channel, senderAccounts.account], set: values });
    await tx.insert(auditLog).values({
      workspaceId: null,
      actorKind: actor.kind,
      actorId: actor.id,
      action: `account.${health.state}`,
      subjectType: 'sender_account',
      subjectId: `${health.channel}/${health.account}`,
      details: { until: health.until, reason: health.reason },
      at: health.updatedAt,
    });
  });
}
