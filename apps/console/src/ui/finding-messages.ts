/**
 * Findings of the built-in rules in the operator's words: `finding.<CODE>` names the finding,
 * `findingText.<CODE>` says it in full from the rule's params ({{term}}, {{max}}…). A rule the
 * console does not know shows the API's English message instead.
 */
export const findingZh = {
  'finding.AD_LAW_ABSOLUTE_TERM': '广告法绝对化用语',
  'finding.CONTACT_DIVERSION': '引流到其他联系方式',
  'finding.FINANCIAL_CLAIM': '金融收益承诺',
  'finding.MEDICAL_CLAIM': '医疗功效宣称',
  'finding.INDUCED_SHARING': '诱导分享或关注',
  'finding.PROFANITY': '粗俗或冒犯性用语',
  'finding.LINK_BLOCKED_DOMAIN': '链接域名被禁止',
  'finding.LINK_DOMAIN_NOT_ALLOWED': '链接域名不在白名单',
  'finding.LINK_NOT_ALLOWED': '该渠道不允许链接',
  'finding.LINK_SHORTENER': '短链接',
  'finding.TOO_MANY_LINKS': '链接数超过渠道上限',
  'finding.TEXT_TOO_LONG': '内容超长',
  'finding.CONTENT_TYPE_UNSUPPORTED': '渠道不支持该内容类型',
  'finding.SMS_TEMPLATE_REQUIRED': '短信须使用报备模板',
  'finding.SMS_TEMPLATE_MISSING': '未指定短信模板',
  'finding.SMS_TEMPLATE_PARAMS_MALFORMED': '模板变量格式错误',
  'finding.SMS_TEMPLATE_UNKNOWN': '短信模板未登记正文',
  'finding.SMS_TEMPLATE_PARAM_MISSING': '缺少模板变量',
  'finding.SMS_TEMPLATE_PARAM_UNKNOWN': '多余的模板变量',
  'finding.SMS_BRACKETS': '正文含【】',
  'finding.SMS_TOO_LONG': '短信超长',
  'finding.SMS_SEGMENTS': '短信按多条计费',
  'finding.SMS_NO_OPT_OUT': '营销短信缺少退订方式',
  'finding.AUDIENCE_NEEDS_APPROVAL': '受众规模需审批',
  'finding.QUIET_HOURS_OFF': '关闭了免打扰时段',
  'finding.WECHAT_PERSONAL_DAILY_SENDS': '个人微信每日群发次数',
  'finding.OA_MONTHLY_CAP': '公众号每月推送上限',
  'finding.OA_DAILY_MASS_SEND_USED': '公众号今日群发次数已用',
  'finding.AB_SAMPLE_BELOW_MINIMUM': 'A/B 样本不足',
  'finding.ESCALATION_BEFORE_CONFIRMATION_DEADLINE': '升级早于确认截止时间',
  'findingPart.subject': '主题中：',
  'findingPart.smsTemplate': '短信模板 {{smsTemplate}} 的正文中：',
  'findingText.rule:sensitive-words': '“{{term}}”命中词库 {{lexicon}}',
  'findingText.AD_LAW_ABSOLUTE_TERM':
    '“{{term}}”属于广告法禁止的绝对化用语（如“最”“第一”“国家级”），请改为可证实的具体描述',
  'findingText.CONTACT_DIVERSION': '“{{term}}”把用户引到其他账号或应用，平台可能判定为违规引流',
  'findingText.FINANCIAL_CLAIM': '“{{term}}”承诺保本或保证收益，金融广告不得使用',
  'findingText.MEDICAL_CLAIM': '“{{term}}”宣称治愈或保证疗效，医疗、保健类广告不得使用',
  'findingText.INDUCED_SHARING': '“{{term}}”以奖励或压力诱导分享、点赞或关注，平台禁止',
  'findingText.PROFANITY': '“{{term}}”是粗俗、侮辱或色情用语',
  'findingText.LINK_BLOCKED_DOMAIN': '链接 {{url}} 指向被禁止的域名 {{domain}}',
  'findingText.LINK_NOT_ALLOWED': '该渠道不允许发送链接：{{url}}',
  'findingText.LINK_DOMAIN_NOT_ALLOWED': '该渠道只允许链接到 {{allowedDomains}}：{{url}}',
  'findingText.LINK_SHORTENER': '{{url}} 是短链接，请直接链接到目标页面，方便用户和平台看清去向',
  'findingText.TOO_MANY_LINKS': '该渠道每条消息最多 {{max}} 个链接，本条有 {{count}} 个',
  'findingText.CONTENT_TYPE_UNSUPPORTED': '该渠道不能发送 {{type}} 类型的内容（支持：{{supportedTypes}}）',
  'findingText.TEXT_TOO_LONG': '该渠道最多 {{max}} 字，本条 {{length}} 字',
  'findingText.SMS_TEMPLATE_REQUIRED':
    '国内短信只能用已报备的短信模板，不能发送 {{type}} 内容：请选模板内容，主题填模板名称或编号，变量按“名称: 值”逐行填写',
  'findingText.SMS_TEMPLATE_MISSING': '请在主题中填写短信模板名称或编号',
  'findingText.SMS_TEMPLATE_PARAMS_MALFORMED': '模板变量行“{{line}}”不是“名称: 值”的格式',
  'findingText.SMS_TEMPLATE_UNKNOWN': '渠道的模板库中没有模板 {{template}} 的正文，开始前无法检查变量和长度',
  'findingText.SMS_TEMPLATE_PARAM_MISSING.named':
    '模板 {{template}} 需要变量 {{missing}}，请逐行按“名称: 值”填写',
  'findingText.SMS_TEMPLATE_PARAM_MISSING.positional':
    '模板 {{template}} 需要 {{expected}} 个变量，只填了 {{given}} 个',
  'findingText.SMS_TEMPLATE_PARAM_UNKNOWN.named':
    '模板 {{template}} 没有变量 {{unknown}}（它的变量：{{known}}）',
  'findingText.SMS_TEMPLATE_PARAM_UNKNOWN.positional':
    '模板 {{template}} 只需要 {{expected}} 个变量，填了 {{given}} 个（多出：{{unknown}}）',
  'findingText.SMS_BRACKETS.variable': '变量“{{variable}}”的值含【】，运营商会把它当作第二个签名',
  'findingText.SMS_BRACKETS.template': '模板 {{template}} 的正文含【】，运营商会把它当作第二个签名',
  'findingText.SMS_TOO_LONG': '含签名共 {{length}} 字，一条短信最多 {{max}} 字',
  'findingText.SMS_SEGMENTS':
    '含签名和渲染后的链接最多 {{length}} 字，按 {{segments}} 条计费（一条 70 字，超过后每条 67 字）',
  'findingText.SMS_NO_OPT_OUT': '营销短信应写明退订方式（如“回复TD退订”）或加入退订链接变量 unsubscribe',
  'findingText.AUDIENCE_NEEDS_APPROVAL': '受众 {{audience}} 人：超过 {{threshold}} 人的活动需审批人审核',
  'findingText.QUIET_HOURS_OFF': '本活动关闭了免打扰时段，夜间也会发送',
  'findingText.WECHAT_PERSONAL_DAILY_SENDS':
    '今天每个账号要群发 {{perAccount}} 次（已发 {{earlier}} 次），个人微信每天最多 {{max}} 次：请分几天发送或增加账号',
  'findingText.OA_MONTHLY_CAP':
    '本月已群发 {{earlier}} 次：本月已收到 {{max}} 次的用户，微信不会再推送这一次',
  'findingText.OA_DAILY_MASS_SEND_USED': '订阅号今天已群发过（{{earlier}} 次），每天只能群发一次',
  'findingText.AB_SAMPLE_BELOW_MINIMUM':
    'A/B 测试每个版本约 {{expected}} 人，少于 {{minimum}} 人时差异难以可信',
  'findingText.ESCALATION_BEFORE_CONFIRMATION_DEADLINE':
    '该渠道 {{escalateAfterMinutes}} 分钟后升级，早于确认截止时间 {{deadlineMinutes}} 分钟：员工仍可能在用户已转到下一渠道后确认发送，用户会收到两条。请把升级时间设为不短于确认截止时间',
} as const;

export const findingEn: Record<keyof typeof findingZh, string> = {
  'finding.AD_LAW_ABSOLUTE_TERM': 'Absolute claim (Advertising Law)',
  'finding.CONTACT_DIVERSION': 'Diverts to another contact channel',
  'finding.FINANCIAL_CLAIM': 'Promised financial return',
  'finding.MEDICAL_CLAIM': 'Medical cure claim',
  'finding.INDUCED_SHARING': 'Induced sharing or following',
  'finding.PROFANITY': 'Profanity',
  'finding.LINK_BLOCKED_DOMAIN': 'Blocked link domain',
  'finding.LINK_DOMAIN_NOT_ALLOWED': 'Link domain not allowed',
  'finding.LINK_NOT_ALLOWED': 'No links on this channel',
  'finding.LINK_SHORTENER': 'Shortened link',
  'finding.TOO_MANY_LINKS': 'More links than the channel allows',
  'finding.TEXT_TOO_LONG': 'Text too long',
  'finding.CONTENT_TYPE_UNSUPPORTED': 'Content type not supported by the channel',
  'finding.SMS_TEMPLATE_REQUIRED': 'SMS needs an approved template',
  'finding.SMS_TEMPLATE_MISSING': 'No SMS template named',
  'finding.SMS_TEMPLATE_PARAMS_MALFORMED': 'Malformed template variables',
  'finding.SMS_TEMPLATE_UNKNOWN': 'SMS template text not registered',
  'finding.SMS_TEMPLATE_PARAM_MISSING': 'Template variable missing',
  'finding.SMS_TEMPLATE_PARAM_UNKNOWN': 'Unknown template variable',
  'finding.SMS_BRACKETS': '【】 in the text',
  'finding.SMS_TOO_LONG': 'SMS too long',
  'finding.SMS_SEGMENTS': 'Billed as several SMS',
  'finding.SMS_NO_OPT_OUT': 'Marketing SMS without opt-out',
  'finding.AUDIENCE_NEEDS_APPROVAL': 'Audience size needs approval',
  'finding.QUIET_HOURS_OFF': 'Quiet hours turned off',
  'finding.WECHAT_PERSONAL_DAILY_SENDS': 'Personal WeChat daily sends',
  'finding.OA_MONTHLY_CAP': 'Official Account monthly cap',
  'finding.OA_DAILY_MASS_SEND_USED': "Official Account's daily mass send used",
  'finding.AB_SAMPLE_BELOW_MINIMUM': 'A/B sample too small',
  'finding.ESCALATION_BEFORE_CONFIRMATION_DEADLINE': 'Escalates before the confirmation deadline',
  'findingPart.subject': 'In the subject: ',
  'findingPart.smsTemplate': 'In the text of SMS template {{smsTemplate}}: ',
  'findingText.rule:sensitive-words': '“{{term}}” is in the lexicon {{lexicon}}',
  'findingText.AD_LAW_ABSOLUTE_TERM':
    '“{{term}}” is an absolute or superlative claim the Advertising Law forbids (“best”, “No. 1”, “national-level”); say something specific you can prove',
  'findingText.CONTACT_DIVERSION':
    '“{{term}}” moves the recipient to another account or app; platforms may treat it as diversion',
  'findingText.FINANCIAL_CLAIM':
    '“{{term}}” promises protected principal or a guaranteed return, which financial ads may not',
  'findingText.MEDICAL_CLAIM': '“{{term}}” claims a cure or guaranteed efficacy, which health ads may not',
  'findingText.INDUCED_SHARING':
    '“{{term}}” rewards or pressures people to share, like or follow, which platforms forbid',
  'findingText.PROFANITY': '“{{term}}” is an obscenity, slur or sexual term',
  'findingText.LINK_BLOCKED_DOMAIN': '{{url}} links to {{domain}}, a blocked domain',
  'findingText.LINK_NOT_ALLOWED': 'This channel does not allow links: {{url}}',
  'findingText.LINK_DOMAIN_NOT_ALLOWED': 'This channel only allows links to {{allowedDomains}}: {{url}}',
  'findingText.LINK_SHORTENER':
    '{{url}} is a shortened link; link to the destination so recipients and platforms can see where it leads',
  'findingText.TOO_MANY_LINKS': 'This channel allows {{max}} links in a message; this one has {{count}}',
  'findingText.CONTENT_TYPE_UNSUPPORTED':
    'This channel cannot send {{type}} content (it sends {{supportedTypes}})',
  'findingText.TEXT_TOO_LONG': 'This channel allows {{max}} characters; this text has {{length}}',
  'findingText.SMS_TEMPLATE_REQUIRED':
    'SMS in mainland China are sent only from approved templates, never {{type}} content: choose template content, the template’s name or code as subject, its variables as “name: value” lines',
  'findingText.SMS_TEMPLATE_MISSING': 'Name the SMS template in the subject',
  'findingText.SMS_TEMPLATE_PARAMS_MALFORMED': 'The template variable line “{{line}}” is not “name: value”',
  'findingText.SMS_TEMPLATE_UNKNOWN':
    'The channel’s registry has no text for template {{template}}: its variables and length cannot be checked before the start',
  'findingText.SMS_TEMPLATE_PARAM_MISSING.named':
    'Template {{template}} needs {{missing}}; give each as a “name: value” line',
  'findingText.SMS_TEMPLATE_PARAM_MISSING.positional':
    'Template {{template}} takes {{expected}} variables; {{given}} given',
  'findingText.SMS_TEMPLATE_PARAM_UNKNOWN.named':
    'Template {{template}} has no variable {{unknown}} (it has {{known}})',
  'findingText.SMS_TEMPLATE_PARAM_UNKNOWN.positional':
    'Template {{template}} takes {{expected}} variables; {{given}} given ({{unknown}} too many)',
  'findingText.SMS_BRACKETS.variable':
    'The value of “{{variable}}” has 【】, which carriers read as a second sign name',
  'findingText.SMS_BRACKETS.template':
    'Template {{template}} has 【】 in its text, which carriers read as a second sign name',
  'findingText.SMS_TOO_LONG': '{{length}} characters with the sign name; an SMS takes at most {{max}}',
  'findingText.SMS_SEGMENTS':
    'Up to {{length}} characters with the sign name and links rendered, billed as {{segments}} SMS (70 for one, 67 each when longer)',
  'findingText.SMS_NO_OPT_OUT':
    'A marketing SMS should say how to opt out (“回复TD退订”) or carry the unsubscribe link variable',
  'findingText.AUDIENCE_NEEDS_APPROVAL':
    '{{audience}} recipients: a campaign over {{threshold}} needs an approver’s review',
  'findingText.QUIET_HOURS_OFF': 'Quiet hours are off for this campaign: it sends at night too',
  'findingText.WECHAT_PERSONAL_DAILY_SENDS':
    '{{perAccount}} mass sends per account today ({{earlier}} already): a personal WeChat account makes at most {{max}} a day; spread the campaign over days or add accounts',
  'findingText.OA_MONTHLY_CAP':
    '{{earlier}} mass sends this month: WeChat drops this one for users who already got {{max}} this month',
  'findingText.OA_DAILY_MASS_SEND_USED':
    'The subscription account already mass-sent today ({{earlier}}); it may mass-send once a day',
  'findingText.AB_SAMPLE_BELOW_MINIMUM':
    'About {{expected}} recipients per variant in the A/B test: below {{minimum}}, a difference is hard to trust',
  'findingText.ESCALATION_BEFORE_CONFIRMATION_DEADLINE':
    'This channel escalates after {{escalateAfterMinutes}} min, before its confirmation deadline of {{deadlineMinutes}} min: staff could still confirm after the recipient moved on, who would then get both messages. Escalate no sooner than the deadline',
};
