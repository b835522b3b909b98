import { z } from 'zod';

export const DINGTALK_WEBHOOK = 'https://oapi.dingtalk.com/robot/send';

export const optionsSchema = z.object({
  /** The robot's webhook, `https://oapi.dingtalk.com/robot/send?access_token=…` (the token is a secret). Required. */
  webhookUrl: z
    .string()
    .url('a URL')
    .refine((u) => new URL(u).searchParams.has('access_token'), 'must carry ?access_token='),
  /** The signing secret of 加签 (`SEC…`); unset: the robot uses keywords or an IP allow-list instead. */
  secret: z.string().min(1).optional(),
  /** Recipients @-mentioned in one group message. Default 50. */
  maxMentionsPerMessage: z.number().int().min(1).max(200).default(50),
  /** Messages a minute the robot may post; DingTalk allows 20 and blocks it 10 minutes past that. Default 20. */
  messagesPerMinute: z.number().int().min(1).max(20).default(20),
  /** How long to wait after DingTalk's "send too fast" (130101), in ms. Default 600000 (10 min). */
  throttledForMs: z.number().int().min(1000).default(600_000),
  /** Timeout of one webhook call, in ms. Default 10000. */
  timeoutMs: z.number().int().min(100).default(10_000),
});

export type DingtalkRobotOptions = z.input<typeof optionsSchema>;
export type DingtalkRobotConfig = z.output<typeof optionsSchema>;
