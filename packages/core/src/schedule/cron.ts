import { QunfaError } from '../errors.js';
import { isTimeZone, zonedParts, zonedToInstant } from './zoned-time.js';

/** A parsed 5-field cron expression: minute hour day-of-month month day-of-week. */
export interface CronSchedule {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one runs. */
  dayOr: boolean;
}

const fields = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function invalid(expression: string, why: string): QunfaError {
  return new QunfaError('INVALID_INPUT', `cron "${expression}": ${why}`, {
    details: { field: 'schedule.cron' },
  });
}

function parseField(expression: string, text: string, index: number): Set<number> {
  const { name, min, max } = fields[index]!;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw invalid(expression, `bad ${name} "${part}"`);
    const from = match[1] === '*' ? min : Number(match[2]);
    const to = match[1] === '*' ? max : match[3] !== undefined ? Number(match[3]) : match[4] ? max : from;
    const step = match[4] ? Number(match[4]) : 1;
    if (from < min || to > max || from > to || step < 1)
      throw invalid(expression, `${name} out of ${min}-${max}`);
    for (let v = from; v <= to; v += step) values.add(index === 4 && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses `m h dom mon dow` (numbers, `*`, ranges, lists and steps); refuses anything else. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw invalid(expression, 'five fields expected: minute hour day month weekday');
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(expression, p, i)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return {
    source: expression,
    minutes,
    hours,
    days,
    months,
    weekdays,
    dayOr: parts[2] !== '*' && parts[4] !== '*',
  };
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  const byDay = s.days.has(day);
  const byWeekday = s.weekdays.has(weekday);
  return s.dayOr ? byDay || byWeekday : byDay && byWeekday;
}

const MINUTE = 60_000;
/** Look this far ahead at most (a Feb 29 schedule fires within 8 years). */
const HORIZON_DAYS = 8 * 366;

/**
 * The first instant strictly after `after` at which the schedule fires, in `timeZone`'s wall
 * clock. Walks day by day, then hour and minute, so a yearly schedule costs a few thousand steps.
 */
export function nextCronTime(schedule: CronSchedule, after: Date, timeZone = 'Asia/Shanghai'): Date {
  if (!isTimeZone(timeZone)) {
    throw new QunfaError('INVALID_INPUT', `unknown time zone "${timeZone}"`, {
      details: { field: 'schedule.timeZone' },
    });
  }
  const start = new Date(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE);
  const first = zonedParts(start, timeZone);
  const base = Date.UTC(first.year, first.month - 1, first.day);
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const date = new Date(base + d * 86_400_000);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!schedule.months.has(month) || !dayMatches(schedule, day, date.getUTCDay())) continue;
    for (const hour of [...schedule.hours].sort((a, b) => a - b)) {
      for (const minute of [...schedule.minutes].sort((a, b) => a - b)) {
        const at = zonedToInstant({ year, month, day, hour, minute }, timeZone);
        if (at >= start) return at;
      }
    }
  }
  throw invalid(schedule.source, 'it never fires');
}
