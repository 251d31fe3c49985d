import { describe, expect, it } from "vitest";
import {
  formatAbsolute,
  formatAgo,
  formatClockTime,
  formatCountdown,
  formatMinutes,
  formatRelativeEnd,
  formatTimeLeft,
  secondsUntil,
} from "./time";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const at = (ms: number) => new Date(NOW + ms).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatCountdown", () => {
  it("shows zero as 0:00", () => {
    expect(formatCountdown(0)).toBe("0:00");
  });

  it("pads seconds but not minutes", () => {
    expect(formatCountdown(59)).toBe("0:59");
    expect(formatCountdown(61)).toBe("1:01");
    expect(formatCountdown(14 * 60 + 59)).toBe("14:59");
  });

  it("shows a fresh 15-minute device code as 15:00", () => {
    expect(formatCountdown(15 * 60)).toBe("15:00");
  });

  it("adds hours only when there are some", () => {
    expect(formatCountdown(3600)).toBe("1:00:00");
    expect(formatCountdown(3600 + 2 * 60 + 3)).toBe("1:02:03");
  });

  it("never shows a negative or broken time", () => {
    expect(formatCountdown(-5)).toBe("0:00");
    expect(formatCountdown(Number.NaN)).toBe("0:00");
    expect(formatCountdown(59.9)).toBe("0:59");
  });
});

describe("secondsUntil", () => {
  it("counts whole seconds, rounding up so 0 means really expired", () => {
    expect(secondsUntil(at(15 * MINUTE), NOW)).toBe(900);
    expect(secondsUntil(at(899_001), NOW)).toBe(900);
    expect(secondsUntil(at(1), NOW)).toBe(1);
    expect(secondsUntil(at(0), NOW)).toBe(0);
  });

  it("is 0 past expiry", () => {
    expect(secondsUntil(at(-30 * SECOND), NOW)).toBe(0);
  });

  it("reads RFC 3339 with an offset", () => {
    expect(secondsUntil("2026-03-10T13:15:00+01:00", NOW)).toBe(900);
  });

  it("treats an unreadable date as expired rather than counting forever", () => {
    expect(secondsUntil("not a date", NOW)).toBe(0);
  });

  it("feeds formatCountdown: a code at 14:59 after one second", () => {
    expect(formatCountdown(secondsUntil(at(15 * MINUTE), NOW + SECOND))).toBe("14:59");
  });
});

describe("formatRelativeEnd", () => {
  it("uses days for the next weeks", () => {
    expect(formatRelativeEnd(at(5 * DAY), NOW)).toBe("ends in 5 days");
    expect(formatRelativeEnd(at(1 * DAY), NOW)).toBe("ends in 1 day");
  });

  it("is not thrown off by a few seconds of delay", () => {
    expect(formatRelativeEnd(at(5 * DAY), NOW + 3 * SECOND)).toBe("ends in 5 days");
  });

  it("uses hours and minutes when the end is near", () => {
    expect(formatRelativeEnd(at(3 * HOUR), NOW)).toBe("ends in 3 hours");
    expect(formatRelativeEnd(at(1 * HOUR), NOW)).toBe("ends in 1 hour");
    expect(formatRelativeEnd(at(12 * MINUTE), NOW)).toBe("ends in 12 minutes");
    expect(formatRelativeEnd(at(20 * SECOND), NOW)).toBe("ends in less than a minute");
  });

  it("rounds up to the next unit instead of saying 60 minutes or 24 hours", () => {
    expect(formatRelativeEnd(at(59 * MINUTE + 50 * SECOND), NOW)).toBe("ends in 1 hour");
    expect(formatRelativeEnd(at(23 * HOUR + 50 * MINUTE), NOW)).toBe("ends in 1 day");
  });

  it("uses months and years far out", () => {
    expect(formatRelativeEnd(at(90 * DAY), NOW)).toBe("ends in 3 months");
    expect(formatRelativeEnd(at(180 * DAY), NOW)).toBe("ends in 6 months");
    expect(formatRelativeEnd(at(365 * DAY), NOW)).toBe("ends in 1 year");
    expect(formatRelativeEnd(at(3 * 365 * DAY), NOW)).toBe("ends in 3 years");
  });

  it("says an end in the past ended", () => {
    expect(formatRelativeEnd(at(-2 * DAY), NOW)).toBe("ended 2 days ago");
    expect(formatRelativeEnd(at(0), NOW)).toBe("ended less than a minute ago");
  });

  it("does not pretend to know an unreadable date", () => {
    expect(formatRelativeEnd("garbage", NOW)).toBe("ends at an unknown time");
  });
});

describe("formatAbsolute", () => {
  it("shows date and time in the given locale and zone", () => {
    expect(formatAbsolute("2026-03-15T14:30:00Z", "en-GB", "UTC")).toBe("15 Mar 2026, 14:30");
    // ICU puts a narrow no-break space before "AM"; compare with plain spaces.
    const us = formatAbsolute("2026-03-15T14:30:00Z", "en-US", "America/New_York").replace(/\s/g, " ");
    expect(us).toBe("Mar 15, 2026, 10:30 AM");
  });

  it("returns an unreadable date unchanged", () => {
    expect(formatAbsolute("soon", "en-GB", "UTC")).toBe("soon");
  });
});

describe("formatTimeLeft", () => {
  it("shows mm:ss under an hour and hh:mm:ss from an hour up, always two digits", () => {
    expect(formatTimeLeft(59)).toBe("00:59");
    expect(formatTimeLeft(14 * 60 + 59)).toBe("14:59");
    expect(formatTimeLeft(3600)).toBe("01:00:00");
    expect(formatTimeLeft(2 * 3600 + 3 * 60 + 4)).toBe("02:03:04");
  });

  it("never shows a negative or broken time", () => {
    expect(formatTimeLeft(0)).toBe("00:00");
    expect(formatTimeLeft(-5)).toBe("00:00");
    expect(formatTimeLeft(Number.NaN)).toBe("00:00");
  });
});

describe("formatMinutes", () => {
  it("says minutes, hours, or both", () => {
    expect(formatMinutes(30)).toBe("30 min");
    expect(formatMinutes(60)).toBe("1 h");
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(formatMinutes(240)).toBe("4 h");
    expect(formatMinutes(1)).toBe("1 min");
  });
});

describe("formatClockTime", () => {
  it("shows only the time on the same day", () => {
    expect(formatClockTime("2026-03-10T14:32:00Z", NOW, "en-GB", "UTC")).toBe("14:32");
  });

  it("adds the day when it is another day, in the given zone", () => {
    expect(formatClockTime("2026-03-11T09:00:00Z", NOW, "en-GB", "UTC")).toBe("Wed 11 Mar, 09:00");
    // 23:30 UTC is already tomorrow in Berlin.
    expect(formatClockTime("2026-03-10T23:30:00Z", NOW, "en-GB", "Europe/Berlin")).toBe("Wed 11 Mar, 00:30");
  });

  it("accepts ms since the epoch and returns an unreadable date unchanged", () => {
    expect(formatClockTime(NOW + 5 * MINUTE, NOW, "en-GB", "UTC")).toBe("12:05");
    expect(formatClockTime("later", NOW, "en-GB", "UTC")).toBe("later");
  });

  it("builds its formats once per locale and zone, not on every tick", () => {
    // The active rows call it once a second each; building a format costs far more than using one.
    const Original = Intl.DateTimeFormat;
    let built = 0;
    Intl.DateTimeFormat = class extends Original {
      constructor(...args: ConstructorParameters<typeof Original>) {
        super(...args);
        built += 1;
      }
    } as typeof Original;
    try {
      for (let tick = 0; tick < 5; tick++) {
        expect(formatClockTime("2026-03-11T09:00:00Z", NOW + tick * SECOND, "fr-FR", "Asia/Tokyo")).toBe("mer. 11 mars, 18:00");
      }
      expect(built).toBe(3); // the day, the time and the weekday, once
      formatClockTime("2026-03-11T09:00:00Z", NOW, "fr-FR", "Europe/Paris");
      expect(built).toBe(6);
    } finally {
      Intl.DateTimeFormat = Original;
    }
  });
});

describe("formatAgo", () => {
  it("says just now, then minutes, hours and days ago", () => {
    expect(formatAgo(at(-20 * SECOND), NOW)).toBe("just now");
    expect(formatAgo(at(-5 * MINUTE), NOW)).toBe("5 minutes ago");
    expect(formatAgo(at(-3 * HOUR), NOW)).toBe("3 hours ago");
    expect(formatAgo(at(-2 * DAY), NOW)).toBe("2 days ago");
    expect(formatAgo("?", NOW)).toBe("at an unknown time");
  });
});
