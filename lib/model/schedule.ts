/**
 * Drift schedules (`spec.drift.schedule`) in Amazon EventBridge syntax, parsed and evaluated without I/O: the
 * stack's drift tick (and `landscape serve`'s drift timer) wakes often, and each environment is checked only
 * when its own schedule has fired since its last check (issue 14, contract 5). All times are UTC, as
 * EventBridge evaluates them.
 *
 * - `rate(N minute|minutes|hour|hours|day|days)`: singular unit for 1, plural otherwise. The fire times are
 *   the multiples of the period counted from 1970-01-01T00:00Z (so `rate(1 hour)` fires on the hour and
 *   `rate(1 day)` at midnight UTC): a tick that comes a little early or late still sees one fire time per
 *   period, where "period elapsed since the last check" would skip every other tick of the same period.
 * - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: `,` `-` `*` `/` in every field, `?` in exactly
 *   one of Day-of-month and Day-of-week, `L` and `W` (`L`, `LW`, `15W`) in Day-of-month, `L` and `#` (`6L`,
 *   `2#1`) in Day-of-week; months `JAN`-`DEC`, days `SUN`-`SAT` (1 = Sunday); years 1970-2199.
 */

export type Schedule =
  | { kind: 'rate'; text: string; periodMs: number }
  | { kind: 'cron'; text: string; cron: CronFields };

/** Which values each cron field allows (index = value) and the special day rules. */
export interface CronFields {
  minutes: boolean[];
  hours: boolean[];
  months: boolean[];
  years: boolean[];
  /** Day-of-month rules; undefined when the field is `?` (days come from `daysOfWeek`). */
  daysOfMonth?: DayOfMonthRule;
  /** Day-of-week rules; undefined when the field is `?`. */
  daysOfWeek?: DayOfWeekRule;
}

interface DayOfMonthRule {
  days: boolean[];
  last: boolean;
  lastWeekday: boolean;
  nearestWeekday: number[];
}

interface DayOfWeekRule {
  /** 1 = Sunday ... 7 = Saturday. */
  days: boolean[];
  /** `6L`: the last Friday of the month. */
  lastOf: number[];
  /** `2#1`: [weekday, nth]. */
  nth: [number, number][];
}

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS } as const;
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const EXAMPLES = 'e.g. "rate(15 minutes)", "rate(1 hour)" or "cron(0 6 * * ? *)" (UTC)';

export class ScheduleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleSyntaxError';
  }
}

/**
 * Parses an EventBridge schedule expression, or throws a ScheduleSyntaxError whose message says what is wrong
 * and how it should look.
 *
 * @example
 * parseSchedule('rate(5 minutes)');        // { kind: 'rate', periodMs: 300000, ... }
 * parseSchedule('cron(0 6 ? * MON-FRI *)'); // 06:00 UTC on weekdays
 */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  const rate = /^rate\((.*)\)$/s.exec(trimmed);
  if (rate) return { kind: 'rate', text: trimmed, periodMs: parseRate(rate[1] ?? '') };
  const cron = /^cron\((.*)\)$/s.exec(trimmed);
  if (cron) return { kind: 'cron', text: trimmed, cron: parseCron(cron[1] ?? '') };
  throw new ScheduleSyntaxError(`"${clip(text)}" is neither rate(...) nor cron(...): write ${EXAMPLES}`);
}

/** Why `text` is not a valid schedule expression (undefined when it is), for config validation. */
export function scheduleProblem(text: string): string | undefined {
  try {
    const schedule = parseSchedule(text);
    if (schedule.kind === 'cron' && nextRunAfter(schedule, new Date(Date.UTC(FIRST_YEAR, 0, 1))) === undefined) {
      return `"${clip(text)}" never fires (no date matches every field before ${LAST_YEAR + 1}): check the day, month and year fields`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleSyntaxError) return error.message;
    throw error;
  }
}

/**
 * The first fire time strictly after `after` (minute precision), or undefined when the schedule never fires
 * again (a cron whose years have passed).
 */
export function nextRunAfter(schedule: Schedule, after: Date): Date | undefined {
  if (schedule.kind === 'rate') {
    return new Date((Math.floor(after.getTime() / schedule.periodMs) + 1) * schedule.periodMs);
  }
  return nextCronTime(schedule.cron, after);
}

/**
 * Whether an environment last checked at `lastCheck` is due at `now`: never checked, or the schedule fired in
 * (lastCheck, now].
 */
export function isDue(schedule: Schedule, lastCheck: Date | undefined, now: Date): boolean {
  if (!lastCheck || Number.isNaN(lastCheck.getTime())) return true;
  const next = nextRunAfter(schedule, lastCheck);
  return next !== undefined && next.getTime() <= now.getTime();
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function parseRate(body: string): number {
  const match = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  const example =
    'write rate(N unit) with a whole N and a unit of minute(s), hour(s) or day(s), e.g. "rate(15 minutes)"';
  if (!match) throw new ScheduleSyntaxError(`"rate(${clip(body)})" is not a rate: ${example}`);
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  if (!(singular in UNIT_MS)) {
    throw new ScheduleSyntaxError(`"rate(${clip(body)})": unknown unit "${unit}": ${example}`);
  }
  if (value < 1 || !Number.isSafeInteger(value)) {
    throw new ScheduleSyntaxError(`"rate(${clip(body)})": the value must be a whole number of at least 1`);
  }
  // EventBridge refuses "rate(1 minutes)" and "rate(5 minute)": say which spelling it takes.
  const wanted = value === 1 ? singular : `${singular}s`;
  if (unit !== wanted) throw new ScheduleSyntaxError(`"rate(${clip(body)})": write "rate(${value} ${wanted})"`);
  return value * UNIT_MS[singular];
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  daysOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  months: { name: 'month', min: 1, max: 12, names: MONTHS },
  daysOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  years: { name: 'year', min: FIRST_YEAR, max: LAST_YEAR },
} as const satisfies Record<string, FieldSpec>;

function parseCron(body: string): CronFields {
  const parts = body.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 6) {
    throw new ScheduleSyntaxError(
      `"cron(${clip(body)})" has ${parts.length} field(s); EventBridge cron takes 6: minutes hours day-of-month month day-of-week year, e.g. "cron(0 6 * * ? *)"`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleSyntaxError(
      `"cron(${clip(body)})": exactly one of day-of-month ("${dom}") and day-of-week ("${dow}") must be "?", e.g. "cron(0 6 * * ? *)" or "cron(0 6 ? * MON *)"`,
    );
  }
  return {
    minutes: parseField(minutes, FIELDS.minutes),
    hours: parseField(hours, FIELDS.hours),
    months: parseField(month, FIELDS.months),
    years: parseField(year, FIELDS.years),
    ...(dom === '?' ? {} : { daysOfMonth: parseDaysOfMonth(dom) }),
    ...(dow === '?' ? {} : { daysOfWeek: parseDaysOfWeek(dow) }),
  };
}

function fieldError(field: FieldSpec, item: string, why: string): ScheduleSyntaxError {
  const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
  return new ScheduleSyntaxError(
    `cron ${field.name} "${clip(item)}": ${why} (allowed: ${field.min}-${field.max}${names}, with , - * /)`,
  );
}

function fieldValue(token: string, field: FieldSpec, item: string): number {
  const upper = token.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + field.min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
  if (Number.isNaN(value)) throw fieldError(field, item, `"${token}" is not a value`);
  if (value < field.min || value > field.max) throw fieldError(field, item, `${value} is out of range`);
  return value;
}

/** One field of `,`-separated items: `*`, `v`, `a-b`, each optionally `/step`. */
function parseField(text: string, field: FieldSpec, extra?: (item: string) => boolean): boolean[] {
  const allowed = new Array<boolean>(field.max + 1).fill(false);
  for (const item of text.split(',')) {
    if (extra?.(item)) continue;
    const [range, stepText, ...rest] = item.split('/');
    if (rest.length > 0 || range === undefined || range === '') throw fieldError(field, item, 'malformed item');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw fieldError(field, item, 'the step must be 1 or more');
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = field.min;
      to = field.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw fieldError(field, item, 'malformed range');
      from = fieldValue(bounds[0] ?? '', field, item);
      to = bounds.length === 2 ? fieldValue(bounds[1] ?? '', field, item) : stepText !== undefined ? field.max : from;
      if (to < from) throw fieldError(field, item, `the range runs backwards (${from} > ${to})`);
    }
    for (let value = from; value <= to; value += step) allowed[value] = true;
  }
  return allowed;
}

function parseDaysOfMonth(text: string): DayOfMonthRule {
  const rule: DayOfMonthRule = { days: [], last: false, lastWeekday: false, nearestWeekday: [] };
  rule.days = parseField(text, FIELDS.daysOfMonth, (item) => {
    const upper = item.toUpperCase();
    if (upper === 'L') {
      rule.last = true;
      return true;
    }
    if (upper === 'LW') {
      rule.lastWeekday = true;
      return true;
    }
    const weekday = /^(\d+)W$/.exec(upper);
    if (weekday) {
      rule.nearestWeekday.push(fieldValue(weekday[1] as string, FIELDS.daysOfMonth, item));
      return true;
    }
    return false;
  });
  return rule;
}

function parseDaysOfWeek(text: string): DayOfWeekRule {
  const rule: DayOfWeekRule = { days: [], lastOf: [], nth: [] };
  let saturday = false;
  rule.days = parseField(text, FIELDS.daysOfWeek, (item) => {
    const upper = item.toUpperCase();
    // "L" alone in day-of-week is the last day of the week: Saturday.
    if (upper === 'L') {
      saturday = true;
      return true;
    }
    const last = /^([A-Z0-9]+)L$/.exec(upper);
    if (last) {
      rule.lastOf.push(fieldValue(last[1] as string, FIELDS.daysOfWeek, item));
      return true;
    }
    const nth = /^([A-Z0-9]+)#(\d+)$/.exec(upper);
    if (nth) {
      const n = Number(nth[2]);
      if (n < 1 || n > 5) throw fieldError(FIELDS.daysOfWeek, item, 'the week of the month (after #) must be 1-5');
      rule.nth.push([fieldValue(nth[1] as string, FIELDS.daysOfWeek, item), n]);
      return true;
    }
    return false;
  });
  if (saturday) rule.days[7] = true;
  return rule;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const length = daysInMonth(year, month);
  if (target > length) return undefined;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1; // Saturday: Friday, or Monday when the 1st
  if (weekday === 1) return target === length ? target - 2 : target + 1; // Sunday: Monday, or Friday at the end
  return target;
}

function dayMatches(cron: CronFields, year: number, month: number, day: number): boolean {
  const length = daysInMonth(year, month);
  const dom = cron.daysOfMonth;
  if (dom) {
    if (dom.days[day]) return true;
    if (dom.last && day === length) return true;
    if (dom.lastWeekday && nearestWeekday(year, month, length) === day) return true;
    return dom.nearestWeekday.some((target) => nearestWeekday(year, month, target) === day);
  }
  const dow = cron.daysOfWeek;
  if (!dow) return false;
  const weekday = weekdayOf(year, month, day);
  if (dow.days[weekday]) return true;
  if (dow.lastOf.includes(weekday) && day + 7 > length) return true;
  return dow.nth.some(([wanted, n]) => wanted === weekday && Math.ceil(day / 7) === n);
}

function firstAtOrAfter(allowed: readonly boolean[], from: number): number | undefined {
  for (let value = from; value < allowed.length; value++) if (allowed[value]) return value;
  return undefined;
}

function nextCronTime(cron: CronFields, after: Date): Date | undefined {
  // Minute precision: the first candidate is the minute after `after`.
  const start = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let hour = start.getUTCHours();
  let minute = start.getUTCMinutes();
  // Bounded: at most one pass per day up to LAST_YEAR (about 84,000), months and years are skipped whole.
  while (year <= LAST_YEAR) {
    if (!cron.years[year]) {
      const next = firstAtOrAfter(cron.years, year + 1);
      if (next === undefined) return undefined;
      [year, month, day, hour, minute] = [next, 1, 1, 0, 0];
      continue;
    }
    if (!cron.months[month]) {
      const next = firstAtOrAfter(cron.months, month + 1);
      if (next === undefined) [year, month] = [year + 1, 1];
      else month = next;
      [day, hour, minute] = [1, 0, 0];
      continue;
    }
    if (day <= daysInMonth(year, month) && dayMatches(cron, year, month, day)) {
      for (let h = firstAtOrAfter(cron.hours, hour); h !== undefined; h = firstAtOrAfter(cron.hours, h + 1)) {
        const m = firstAtOrAfter(cron.minutes, h === hour ? minute : 0);
        if (m !== undefined) return new Date(Date.UTC(year, month - 1, day, h, m));
      }
    }
    // The next day at midnight (the month rolls over through the checks above).
    [day, hour, minute] = [day + 1, 0, 0];
    if (day > daysInMonth(year, month)) {
      [day, month] = [1, month + 1];
      if (month > 12) [month, year] = [1, year + 1];
    }
  }
  return undefined;
}
