// Pure time formatting for the UI. Every function takes "now" as an argument so tests control it.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Whole seconds from `nowMs` until `iso`, rounded up, never negative; 0 for an unreadable date. */
export function secondsUntil(iso: string, nowMs: number): number {
  const end = Date.parse(iso);
  if (Number.isNaN(end)) {
    return 0;
  }
  return Math.max(0, Math.ceil((end - nowMs) / SECOND));
}

/** A countdown as the user reads it: "14:59", "0:05", "1:02:03"; "0:00" for zero or less. */
export function formatCountdown(totalSeconds: number): string {
  const seconds = Number.isFinite(totalSeconds) ? Math.max(0, Math.floor(totalSeconds)) : 0;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = String(s).padStart(2, "0");
  if (h > 0) {
    return `${h}:${String(m).padStart(2, "0")}:${ss}`;
  }
  return `${m}:${ss}`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** "5 days", "3 hours", "less than a minute": a duration rounded to its largest sensible unit. */
function humanDuration(ms: number): string {
  if (ms < MINUTE) {
    return "less than a minute";
  }
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) {
    return plural(minutes, "minute");
  }
  const hours = Math.round(ms / HOUR);
  if (hours < 24) {
    return plural(hours, "hour");
  }
  const days = Math.round(ms / DAY);
  if (days < 45) {
    return plural(days, "day");
  }
  const months = Math.round(days / 30.44);
  if (months < 12) {
    return plural(months, "month");
  }
  return plural(Math.round(days / 365.25), "year");
}

/** When something ends, relative to now: "ends in 5 days", "ended 2 hours ago". */
export function formatRelativeEnd(iso: string, nowMs: number): string {
  const end = Date.parse(iso);
  if (Number.isNaN(end)) {
    return "ends at an unknown time";
  }
  const diff = end - nowMs;
  return diff > 0 ? `ends in ${humanDuration(diff)}` : `ended ${humanDuration(-diff)} ago`;
}

/**
 * A date and time for a tooltip or a screen reader, e.g. "12 Mar 2026, 14:30" in the user's locale.
 * `locale` and `timeZone` exist for tests; the app leaves them to the system. An unreadable date is
 * returned as it came, which is more useful than "Invalid Date".
 */
export function formatAbsolute(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return dateFormat("absolute", locale, timeZone).format(date);
}

/** The shapes of date the app shows, as `Intl.DateTimeFormat` options. */
const DATE_SHAPES = {
  /** "12 Mar 2026, 14:30" */
  absolute: { dateStyle: "medium", timeStyle: "short" },
  /** The calendar day, to tell whether two moments fall on the same one. */
  day: { year: "numeric", month: "numeric", day: "numeric" },
  /** "14:32", "2:32 PM" */
  time: { timeStyle: "short" },
  /** "Wed 11 Mar" */
  weekday: { weekday: "short", day: "numeric", month: "short" },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

// Building an Intl.DateTimeFormat costs far more than formatting with one, and rows ask on
// every tick of their clock — the active rows once a second: keep one per shape, locale and
// time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(shape: keyof typeof DATE_SHAPES, locale?: string, timeZone?: string): Intl.DateTimeFormat {
  const key = `${shape}|${locale ?? ""}|${timeZone ?? ""}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    const options: Intl.DateTimeFormatOptions = { ...DATE_SHAPES[shape] };
    if (timeZone !== undefined) {
      options.timeZone = timeZone;
    }
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/** Time left as a ticking clock: "01:02:03" from an hour up, else "14:59"; "00:00" for zero or less. */
export function formatTimeLeft(totalSeconds: number): string {
  const seconds = Number.isFinite(totalSeconds) ? Math.max(0, Math.floor(totalSeconds)) : 0;
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** A duration in whole minutes as people say it: "30 min", "1 h", "1 h 30 min". */
export function formatMinutes(minutes: number): string {
  const total = Number.isFinite(minutes) ? Math.max(0, Math.round(minutes)) : 0;
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) {
    return `${m} min`;
  }
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * A moment close to now, for "Active until 14:32": just the time when it falls on the same day
 * as `nowMs`, else with the day ("Wed 11 Mar, 09:00"). `locale` and `timeZone` exist for tests.
 */
export function formatClockTime(
  at: string | number,
  nowMs: number,
  locale?: string,
  timeZone?: string,
): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) {
    return String(at);
  }
  const day = dateFormat("day", locale, timeZone);
  // The locale's own short time ("14:32", "2:32 PM"), with the day in front when it is not today.
  const time = dateFormat("time", locale, timeZone).format(date);
  if (day.format(date) === day.format(new Date(nowMs))) {
    return time;
  }
  return `${dateFormat("weekday", locale, timeZone).format(date)}, ${time}`;
}

/** How long ago something happened: "just now", "5 minutes ago", "2 days ago". */
export function formatAgo(iso: string, nowMs: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) {
    return "at an unknown time";
  }
  const diff = nowMs - then;
  return diff < MINUTE ? "just now" : `${humanDuration(diff)} ago`;
}
