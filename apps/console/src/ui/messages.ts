/** Strings of the frame: navigation, not-found page. */
export const frameZh = {
  'nav.label': '功能导航',
  'nav.campaigns': '群发任务',
  'nav.compose': '新建群发',
  'nav.review': '审核',
  'nav.contacts': '联系人',
  'nav.accounts': '账号与渠道',
  'nav.inbox': '收件箱',
  'nav.settings': '设置',
  'notFound.title': '页面不存在',
  'notFound.body': '控制台没有这个地址：',
  'notFound.back': '回到群发任务',
} as const;

export const frameEn: Record<keyof typeof frameZh, string> = {
  'nav.label': 'Sections',
  'nav.campaigns': 'Campaigns',
  'nav.compose': 'New campaign',
  'nav.review': 'Review',
  'nav.contacts': 'Contacts',
  'nav.accounts': 'Accounts & channels',
  'nav.inbox': 'Inbox',
  'nav.settings': 'Settings',
  'notFound.title': 'Page not found',
  'notFound.body': 'The console has no such address:',
  'notFound.back': 'Back to campaigns',
};
