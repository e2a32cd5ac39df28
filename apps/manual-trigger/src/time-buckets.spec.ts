import { WindowPlan, hourBucket } from './time-buckets';

const ANCHOR = Date.parse('2026-03-28T10:30:00Z');
const hours = (selector: string | undefined): string[] => /\((.*)\)/.exec(selector ?? '')?.[1].split(',') ?? [];

describe('WindowPlan', () => {
  it('starts with the next and the current hour, then sizes windows from the density read so far, at least doubling', () => {
    const plan = new WindowPlan(ANCHOR, undefined);
    expect(hours(plan.window(0, 51))).toEqual(['2026032811', '2026032810']);
    // 10 matches in 2 hours: 41 more need ~8 hours, times 1.5, at least twice the last span
    expect(hours(plan.window(10, 41))).toHaveLength(13);
    const none = new WindowPlan(ANCHOR, undefined);
    none.window(0, 51);
    expect(hours(none.window(0, 51))).toHaveLength(8); // nothing yet: four times the last span
  });

  it('covers a week without gaps or overlaps, then everything older, then ends', () => {
    const plan = new WindowPlan(ANCHOR, undefined);
    const seen: string[] = [];
    let w = plan.window(0, 1000);
    while (w && !w.includes('notin')) {
      seen.push(...hours(w));
      w = plan.window(0, 1000);
    }
    expect(seen).toHaveLength(169);
    expect(new Set(seen).size).toBe(169);
    expect(seen[0]).toBe('2026032811');
    expect(seen[168]).toBe(hourBucket(Date.parse('2026-03-21T11:00:00Z')));
    expect(w).toBe(`manual-trigger.ci-stack.io/created-hour,manual-trigger.ci-stack.io/created-hour notin (${seen.join(',')})`);
    expect(plan.window(0, 1000)).toBeUndefined();
  });

  it("starts at a cursor's hour, stops at since, and reads nothing older then", () => {
    const plan = new WindowPlan(ANCHOR, Date.parse('2026-03-28T07:10:00Z'), Date.parse('2026-03-28T05:59:00Z'));
    expect(hours(plan.window(0, 10))).toEqual(['2026032807', '2026032806']);
    expect(hours(plan.window(0, 10))).toEqual(['2026032805']);
    expect(plan.window(0, 10)).toBeUndefined();
    const old = new WindowPlan(ANCHOR, Date.parse('2026-03-01T00:00:00Z'));
    expect(old.window(0, 10)).toContain('notin');
  });
});
