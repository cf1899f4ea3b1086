import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import { isDue, nextRunAfter, parseSchedule, scheduleProblem } from '../../../lib/model/schedule.ts';
import { configDir, environmentYaml } from '../../support/builders.ts';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextRunAfter(parseSchedule(expression), at(after))?.toISOString();

describe('parseSchedule: rate', () => {
  it('reads minutes, hours and days with EventBridge spelling', () => {
    expect(parseSchedule('rate(5 minutes)')).toMatchObject({ kind: 'rate', periodMs: 300_000 });
    expect(parseSchedule('rate(1 hour)')).toMatchObject({ kind: 'rate', periodMs: 3_600_000 });
    expect(parseSchedule(' rate(2 days) ')).toMatchObject({ kind: 'rate', periodMs: 172_800_000 });
  });

  it('says which spelling EventBridge takes for 1 and for more', () => {
    expect(scheduleProblem('rate(1 minutes)')).toBe('"rate(1 minutes)": write "rate(1 minute)"');
    expect(scheduleProblem('rate(5 hour)')).toBe('"rate(5 hour)": write "rate(5 hours)"');
  });

  it('refuses units, values and shapes EventBridge refuses', () => {
    expect(scheduleProblem('rate(5 seconds)')).toContain('unknown unit "seconds"');
    expect(scheduleProblem('rate(0 minutes)')).toContain('at least 1');
    expect(scheduleProblem('rate(1.5 hours)')).toContain('is not a rate');
    expect(scheduleProblem('every 5 minutes')).toContain('is neither rate(...) nor cron(...)');
    expect(scheduleProblem('')).toContain('is neither rate(...) nor cron(...)');
  });
});

describe('parseSchedule: cron', () => {
  it('needs six fields and exactly one "?" of the two day fields', () => {
    expect(scheduleProblem('cron(0 6 * * *)')).toContain('has 5 field(s)');
    expect(scheduleProblem('cron(0 6 * * MON *)')).toContain('exactly one of day-of-month');
    expect(scheduleProblem('cron(0 6 ? * ? *)')).toContain('exactly one of day-of-month');
    expect(scheduleProblem('cron(0 6 * * ? *)')).toBeUndefined();
    expect(scheduleProblem('cron(0/15 8-17 ? * MON-FRI *)')).toBeUndefined();
  });

  it('names the field, the value and the allowed range', () => {
    expect(scheduleProblem('cron(60 6 * * ? *)')).toBe(
      'cron minutes "60": 60 is out of range (allowed: 0-59, with , - * /)',
    );
    expect(scheduleProblem('cron(0 6 ? FOO MON *)')).toContain('cron month "FOO": "FOO" is not a value');
    expect(scheduleProblem('cron(0 6 ? * FRI-MON *)')).toContain('the range runs backwards');
    expect(scheduleProblem('cron(0 6 ? * 2#6 *)')).toContain('must be 1-5');
    expect(scheduleProblem('cron(0 6 * * ? 2300)')).toContain('cron year "2300": 2300 is out of range');
  });

  it('says when an expression can never fire', () => {
    expect(scheduleProblem('cron(0 0 30 2 ? *)')).toContain('never fires');
    expect(scheduleProblem('cron(0 0 31 4,6,9,11 ? *)')).toContain('never fires');
  });
});

describe('nextRunAfter: rate', () => {
  it('fires on multiples of the period counted from the epoch (UTC)', () => {
    expect(next('rate(5 minutes)', '2026-12-03T10:02:30Z')).toBe('2026-12-03T10:05:00.000Z');
    expect(next('rate(5 minutes)', '2026-12-03T10:05:00Z')).toBe('2026-12-03T10:10:00.000Z');
    expect(next('rate(1 hour)', '2026-12-03T10:02:30Z')).toBe('2026-12-03T11:00:00.000Z');
    expect(next('rate(1 day)', '2026-12-31T23:59:59Z')).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('nextRunAfter: cron', () => {
  it('fires at the next matching minute, strictly after the given time', () => {
    expect(next('cron(0 6 * * ? *)', '2026-12-03T05:59:59Z')).toBe('2026-12-03T06:00:00.000Z');
    expect(next('cron(0 6 * * ? *)', '2026-12-03T06:00:00Z')).toBe('2026-12-04T06:00:00.000Z');
    expect(next('cron(*/15 * * * ? *)', '2026-12-03T10:14:59Z')).toBe('2026-12-03T10:15:00.000Z');
    expect(next('cron(0/20 9-10 * * ? *)', '2026-12-03T10:41:00Z')).toBe('2026-12-04T09:00:00.000Z');
  });

  it('rolls over months and years, and skips months without the day', () => {
    expect(next('cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z');
    expect(next('cron(30 23 L * ? *)', '2026-02-10T00:00:00Z')).toBe('2026-02-28T23:30:00.000Z');
    expect(next('cron(30 23 L * ? *)', '2028-02-10T00:00:00Z')).toBe('2028-02-29T23:30:00.000Z');
    expect(next('cron(0 0 1 JAN ? *)', '2026-12-03T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 12 1 1 ? 2030-2031)', '2026-12-03T00:00:00Z')).toBe('2030-01-01T12:00:00.000Z');
    expect(next('cron(0 12 1 1 ? 2030)', '2030-01-01T12:00:00Z')).toBeUndefined();
  });

  it('reads days of the week with 1 = Sunday, names, L and #', () => {
    // 2026-12-03 is a Thursday.
    expect(next('cron(0 8 ? * MON-FRI *)', '2026-12-04T09:00:00Z')).toBe('2026-12-07T08:00:00.000Z');
    expect(next('cron(0 8 ? * 1 *)', '2026-12-03T00:00:00Z')).toBe('2026-12-06T08:00:00.000Z');
    expect(next('cron(0 8 ? * SUN *)', '2026-12-03T00:00:00Z')).toBe('2026-12-06T08:00:00.000Z');
    expect(next('cron(0 8 ? * L *)', '2026-12-03T00:00:00Z')).toBe('2026-12-05T08:00:00.000Z');
    expect(next('cron(0 8 ? * 6L *)', '2026-12-03T00:00:00Z')).toBe('2026-12-25T08:00:00.000Z');
    expect(next('cron(0 8 ? * 2#1 *)', '2026-12-03T00:00:00Z')).toBe('2026-12-07T08:00:00.000Z');
    expect(next('cron(0 8 ? * 2#1 *)', '2026-12-07T08:00:00Z')).toBe('2027-01-04T08:00:00.000Z');
    expect(next('cron(0 8 ? * TUE#2 *)', '2026-12-03T00:00:00Z')).toBe('2026-12-08T08:00:00.000Z');
  });

  it('reads W as the nearest weekday within the month', () => {
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd, not Friday in July.
    expect(next('cron(0 0 1W * ? *)', '2026-07-31T00:00:00Z')).toBe('2026-08-03T00:00:00.000Z');
    // 2026-11-15 is a Sunday: 15W is Monday the 16th.
    expect(next('cron(0 0 15W * ? *)', '2026-11-01T00:00:00Z')).toBe('2026-11-16T00:00:00.000Z');
    // 2026-10-31 is a Saturday: LW is Friday the 30th.
    expect(next('cron(0 0 LW * ? *)', '2026-10-01T00:00:00Z')).toBe('2026-10-30T00:00:00.000Z');
  });
});

describe('isDue', () => {
  it('is due when never checked, or when the schedule fired since the last check', () => {
    const every5 = parseSchedule('rate(5 minutes)');
    expect(isDue(every5, undefined, at('2026-12-03T10:00:00Z'))).toBe(true);
    expect(isDue(every5, at('2026-12-03T10:00:10Z'), at('2026-12-03T10:04:59Z'))).toBe(false);
    // A tick that comes a little early still finds one fire time per period.
    expect(isDue(every5, at('2026-12-03T10:00:10Z'), at('2026-12-03T10:05:01Z'))).toBe(true);
    const hourly = parseSchedule('rate(1 hour)');
    expect(isDue(hourly, at('2026-12-03T10:00:10Z'), at('2026-12-03T10:55:00Z'))).toBe(false);
    expect(isDue(hourly, at('2026-12-03T10:00:10Z'), at('2026-12-03T11:00:00Z'))).toBe(true);
    const never = parseSchedule('cron(0 12 1 1 ? 2030)');
    expect(isDue(never, at('2030-01-01T12:00:00Z'), at('2040-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('Environment spec.drift.schedule', () => {
  const spec = (schedule?: string) =>
    EnvironmentSpecSchema.safeParse({
      kafka: { bootstrapServers: ['127.0.0.1:9092'] },
      ...(schedule === undefined ? {} : { drift: { schedule } }),
    });

  it('defaults to rate(15 minutes) and accepts EventBridge expressions', () => {
    expect(spec().data?.drift.schedule).toBe('rate(15 minutes)');
    expect(spec('cron(0 6 ? * MON-FRI *)').success).toBe(true);
  });

  it('is a validation error at the field, with the fix', () => {
    const result = spec('rate(1 hours)');
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['drift', 'schedule'], message: '"rate(1 hours)": write "rate(1 hour)"' }),
    ]);
  });
});

describe('an invalid drift schedule in a config', () => {
  it('is a configuration problem at its file, line and field, with the fix', async () => {
    const dir = await configDir({
      'env.yaml': environmentYaml({ extra: '  drift:\n    schedule: cron(0 6 * * MON *)' }),
    });
    const error = await loadConfig(dir, 'prod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({
        file: join(dir, 'env.yaml'),
        line: 8,
        column: 15,
        field: 'spec.drift.schedule',
        message: expect.stringContaining('exactly one of day-of-month ("*") and day-of-week ("MON") must be "?"'),
      }),
    ]);
  });
});
