// Calendar facts about the planning period: which day indexes are weekend days and which weekend
// (Saturday + Sunday of one Monday-based week) each belongs to. Pure date arithmetic in UTC so the
// server's time zone never changes a roster.

/** Day of week of `startDate + day`: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(startDate: string, day: number): number {
  const ms = Date.parse(`${startDate}T00:00:00Z`) + day * 86_400_000;
  return new Date(ms).getUTCDay();
}

/** The ISO date string of day index `day`. */
export function dateOf(startDate: string, day: number): string {
  const ms = Date.parse(`${startDate}T00:00:00Z`) + day * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * For each day: the index of its weekend (0-based, counting weeks from the week of startDate), or
 * -1 on weekdays.
 */
export function weekendIndexByDay(startDate: string, days: number): Int32Array {
  const mondayOffset = (weekdayOf(startDate, 0) + 6) % 7; // days since the Monday of week 0
  const out = new Int32Array(days);
  for (let d = 0; d < days; d++) {
    const weekday = (mondayOffset + d) % 7; // 0 = Monday
    out[d] = weekday >= 5 ? Math.floor((mondayOffset + d) / 7) : -1;
  }
  return out;
}

/** `HH:MM` → minutes after midnight. */
export function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}
