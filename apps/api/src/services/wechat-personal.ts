import type { AccountView, LoginEvent, WechatPersonalChannel } from '@qunfa/channels';
import { QunfaError } from '@qunfa/core';
import { authorize, type Principal } from '../auth/roles.js';
import type { ServiceDeps } from './deps.js';

/** The loaded personal WeChat channel; CHANNEL_NOT_FOUND when an operator has not enabled it. */
function channelOf(deps: ServiceDeps, name = 'channel:wechat-personal'): WechatPersonalChannel {
  const plugin = deps.registry.channels.find((c) => c.name === name);
  if (!plugin || typeof (plugin as Partial<WechatPersonalChannel>).admin !== 'object') {
    throw new QunfaError('CHANNEL_NOT_FOUND', `${name} is not enabled (add it to the plugin config)`, {
      details: { channel: name },
    });
  }
  return plugin as WechatPersonalChannel;
}

const ws = (p: Principal) => String(p.workspaceId);

/** Every personal WeChat account of the caller's workspace, with status, policy, usage and health. */
export async function listWechatPersonalAccounts(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<AccountView[]> {
  const p = authorize(principal, 'read');
  const found = deps.registry.channels.find((c) => c.name === 'channel:wechat-personal');
  if (!found) return [];
  return channelOf(deps).admin.list(ws(p));
}

/** Admin: an account of the workspace, logged out until `login`. */
export function addWechatPersonalAccount(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { id: string; label?: string | null; puppet: string },
) {
  const p = authorize(principal, 'admin');
  return channelOf(deps).admin.add({ ...input, workspaceId: ws(p) });
}

export function loginWechatPersonalAccount(deps: ServiceDeps, principal: Principal | null, id: string) {
  return channelOf(deps).admin.login(ws(authorize(principal, 'admin')), id);
}

export function logoutWechatPersonalAccount(deps: ServiceDeps, principal: Principal | null, id: string) {
  return channelOf(deps).admin.logout(ws(authorize(principal, 'admin')), id);
}

export function setWechatPersonalPolicy(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  policy: unknown,
) {
  return channelOf(deps).admin.setPolicy(ws(authorize(principal, 'admin')), id, policy);
}

export function reportWechatPersonalSignals(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  signals: unknown,
) {
  return channelOf(deps).admin.reportSignals(ws(authorize(principal, 'admin')), id, signals);
}

export function endWechatPersonalCooldown(deps: ServiceDeps, principal: Principal | null, id: string) {
  return channelOf(deps).admin.endCooldown(ws(authorize(principal, 'admin')), id);
}

/**
 * Reads the account's friend list now: its friends become relations through it in `contact_reach`
 * (and one who deleted it, ended) once the worker next polls, instead of at the hourly sweep.
 */
export function syncWechatPersonalFriends(deps: ServiceDeps, principal: Principal | null, id: string) {
  return channelOf(deps).admin.syncFriends(ws(authorize(principal, 'admin')), id);
}

/** The account's login events (QR code, scanned, logged in) as they come; ends after the login. */
export function wechatPersonalLoginEvents(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<AsyncGenerator<LoginEvent>> {
  return channelOf(deps).admin.loginEvents(ws(authorize(principal, 'admin')), id);
}
