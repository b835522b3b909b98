import type { SyncedCustomer, SyncedGroup, WecomChannel } from '@qunfa/channels';
import type { ChannelContext } from '@qunfa/core';
import type { SyncRunner } from './sync-runner.js';
import type { SyncedRecord } from './synced-contacts.js';
import type { ProviderTag } from './synced-tags.js';

/** Corp tags (`get_corp_tag_list`) as `<group>/<tag>`, read before the run starts (it checks the credentials too). */
export async function wecomTags(channel: WecomChannel, ctx: ChannelContext): Promise<ProviderTag[]> {
  const groups = await channel.corpTags(ctx);
  return groups.flatMap((g) => g.tags.map((t) => ({ externalId: t.id, name: `${g.groupName}/${t.name}` })));
}

function recordOf(channel: string, c: SyncedCustomer, tagIds: Map<string, number>): SyncedRecord {
  return {
    identities: [
      { kind: 'wecom_external_userid', value: c.externalUserId },
      ...(c.unionid ? [{ kind: 'unionid' as const, value: c.unionid }] : []),
    ],
    name: c.name || null,
    tagIds: c.tagIds.flatMap((id) => {
      const tag = tagIds.get(id);
      return tag === undefined ? [] : [tag];
    }),
    reach: {
      channel,
      account: c.followUser.userid,
      addedAt: c.followUser.addedAt > 0 ? new Date(c.followUser.addedAt * 1000) : null,
      remark: c.followUser.remark || null,
    },
  };
}

/** A customer group as a group contact: its chat id, name, member count, and reachable through its owner. */
function groupRecordOf(channel: string, g: SyncedGroup): SyncedRecord {
  return {
    kind: 'group',
    identities: [{ kind: 'wecom_chat_id', value: g.chatId }],
    name: g.name || null,
    tagIds: [],
    attributes: { memberCount: g.members },
    reach: {
      channel,
      account: g.owner,
      addedAt: g.createdAt > 0 ? new Date(g.createdAt * 1000) : null,
      remark: null,
    },
  };
}

/**
 * Customers of every staff member with customer contact (`get_follow_user_list`,
 * `batch/get_by_user` by cursor) into contacts, identities, corp tags and "reachable through
 * <userid>"; then customer groups (`groupchat/list`, `groupchat/get`) into the channel's state and
 * into group contacts (`wecom_chat_id`, kind `group`, reachable through the owner).
 * The channel saves its position after each page; a failed run resumes there. A completed run
 * (with the failed runs it resumed) ends the workspace's relations and group ownerships it did not
 * see (`removed_by` sync); the contacts, their history and other workspaces' rows are untouched.
 */
export const wecomSync: SyncRunner<WecomChannel> = {
  stage: 'customers',
  // A completed run listed every live relation and every group with its owner.
  sweep: true,
  readTags: wecomTags,
  async run(channel, ctx, run) {
    await channel.sync(ctx, {
      restart: run.restart,
      onCustomers: async (page) => {
        await run.pace();
        const stored = await run.store(page.map((c) => recordOf(channel.name, c, run.tagIds)));
        await run.save({ stage: 'customers', add: { pages: 1, records: page.length, ...stored } });
      },
      onGroups: async (page) => {
        if (page.length === 0) return;
        await run.pace();
        // When the sync saw each group (its owner relation's synced_at): the groups' list shows it.
        await run.store(
          page.filter((g) => g.owner !== '').map((g) => groupRecordOf(channel.name, g)),
          { syncedAt: ctx.now() },
        );
      },
      onProgress: (p) => {
        if (p.stage !== 'customers') run.note({ stage: 'groups', groups: p.groups });
      },
    });
  },
};
