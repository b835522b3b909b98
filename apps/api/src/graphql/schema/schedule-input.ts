import { builder } from '../builder.js';

export const ScheduleKindEnum = builder.enumType('ScheduleKind', {
  values: { RECURRING: { value: 'recurring' as const }, TRIGGERED: { value: 'triggered' as const } },
});

export const ScheduleInputRef = builder.inputType('CampaignScheduleInput', {
  fields: (t) => ({
    kind: t.field({ type: ScheduleKindEnum }),
    cron: t.string({ required: false, description: 'minute hour day month weekday, e.g. "0 10 * * 1-5"' }),
    timeZone: t.string({ required: false, description: 'IANA time zone of the cron, default Asia/Shanghai' }),
  }),
});
