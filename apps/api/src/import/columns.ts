import { type IdentityKind, identityKinds } from '@qunfa/core';

/** Where a CSV column goes: a contact field, an identity, tags, a custom attribute, or nowhere. */
export type ColumnTarget =
  | { field: 'name' | 'region' | 'province' | 'city' | 'district' | 'device' | 'lastActiveAt' | 'tags' }
  | { identity: IdentityKind }
  | { attribute: string }
  | { ignore: true };

/** Header names recognised without a mapping (lower-cased, spaces removed). */
const known: Record<string, ColumnTarget> = {
  name: { field: 'name' },
  姓名: { field: 'name' },
  名称: { field: 'name' },
  昵称: { field: 'name' },
  phone: { identity: 'phone' },
  mobile: { identity: 'phone' },
  手机: { identity: 'phone' },
  手机号: { identity: 'phone' },
  手机号码: { identity: 'phone' },
  电话: { identity: 'phone' },
  email: { identity: 'email' },
  邮箱: { identity: 'email' },
  电子邮件: { identity: 'email' },
  wxid: { identity: 'wxid' },
  微信号: { identity: 'wxid' },
  wecom_userid: { identity: 'wecom_userid' },
  企业微信userid: { identity: 'wecom_userid' },
  external_userid: { identity: 'wecom_external_userid' },
  wecom_external_userid: { identity: 'wecom_external_userid' },
  openid: { identity: 'oa_openid' },
  oa_openid: { identity: 'oa_openid' },
  unionid: { identity: 'unionid' },
  tags: { field: 'tags' },
  标签: { field: 'tags' },
  region: { field: 'region' },
  地区: { field: 'region' },
  province: { field: 'province' },
  省: { field: 'province' },
  省份: { field: 'province' },
  city: { field: 'city' },
  市: { field: 'city' },
  城市: { field: 'city' },
  district: { field: 'district' },
  区: { field: 'district' },
  区县: { field: 'district' },
  device: { field: 'device' },
  设备: { field: 'device' },
  last_active: { field: 'lastActiveAt' },
  lastactiveat: { field: 'lastActiveAt' },
  最近活跃: { field: 'lastActiveAt' },
  最后活跃时间: { field: 'lastActiveAt' },
};

/**
 * Parses a user mapping value: `name`, `phone`, `tags`, `attribute:level`, `ignore`, …
 * Returns undefined when the value names nothing.
 */
export function parseTarget(value: string): ColumnTarget | undefined {
  if (value === 'ignore') return { ignore: true };
  if (value.startsWith('attribute:') && value.length > 10) return { attribute: value.slice(10) };
  // A customer group's chat id is not a person's identity: groups come from the WeCom sync.
  if (value !== 'wecom_chat_id' && (identityKinds as readonly string[]).includes(value))
    return { identity: value as IdentityKind };
  const fields = [
    'name',
    'region',
    'province',
    'city',
    'district',
    'device',
    'lastActiveAt',
    'tags',
  ] as const;
  const field = fields.find((f) => f === value);
  return field ? { field } : undefined;
}

/**
 * The target of each header: the user's mapping first, then known names, then
 * `attr.<key>` / `属性.<key>` as custom attributes; anything else is ignored.
 */
export function mapColumns(headers: string[], mapping: Record<string, ColumnTarget>): ColumnTarget[] {
  return headers.map((h) => {
    if (mapping[h]) return mapping[h]!;
    const key = h.trim().toLowerCase().replace(/\s+/g, '');
    if (known[key]) return known[key]!;
    const attr = /^(?:attr|属性)\.(.+)$/.exec(h.trim());
    return attr ? { attribute: attr[1]! } : { ignore: true };
  });
}
