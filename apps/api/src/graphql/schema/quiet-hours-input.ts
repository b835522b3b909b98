import { quietHoursModes } from '../../services/quiet-hours.js';
import { builder } from '../builder.js';
import { upper } from './enums.js';

export const QuietHoursModeEnum = builder.enumType('QuietHoursMode', {
  description:
    "INHERIT: a workspace follows the server's QUIET_HOURS, a campaign its workspace's. OFF: no quiet hours. WINDOW: start–end",
  values: upper(quietHoursModes),
});

export const QuietHoursInputRef = builder.inputType('QuietHoursInput', {
  fields: (t) => ({
    mode: t.field({ type: QuietHoursModeEnum }),
    start: t.string({ required: false, description: 'HH:MM, required for WINDOW' }),
    end: t.string({ required: false, description: 'HH:MM, required for WINDOW; may be past midnight' }),
  }),
});
