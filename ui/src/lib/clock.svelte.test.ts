// @vitest-environment happy-dom
// The countdown after the system clock jumps and after a suspend: each tick reads the wall
// clock, so one tick after a jump of ±1 h, or after minutes without any tick, the time left is
// right to the second. A clock that added its interval per tick would be an hour (or the
// length of the suspend) off here.
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { secondsLeft } from "./active";
import { createClock, type Clock } from "./clock.svelte";
import { activation } from "./testing/fixtures";
import { formatTimeLeft } from "./time";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// Two hours into an eight-hour activation: six hours left.
const START = Date.parse("2026-03-10T12:00:00Z");
const NOW = START + 2 * HOUR;
const running = activation({
  startDateTime: new Date(START).toISOString(),
  endDateTime: new Date(START + 8 * HOUR).toISOString(),
});

let destroy: (() => void) | null = null;

/** A 1-second clock, as the active view makes it. */
function clock(): Clock {
  let made: Clock | undefined;
  destroy = $effect.root(() => {
    made = createClock(SECOND);
  });
  flushSync();
  if (made === undefined) {
    throw new Error("the clock was not created");
  }
  return made;
}

/** What the row shows now. */
function shown(c: Clock): string {
  return formatTimeLeft(secondsLeft(running, c.now) ?? Number.NaN);
}

/** The countdown the wall clock says, to compare with. */
function expected(): string {
  return formatTimeLeft(secondsLeft(running, Date.now()) ?? Number.NaN);
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});

afterEach(() => {
  destroy?.();
  destroy = null;
  vi.useRealTimers();
});

describe("the countdown after a clock jump", () => {
  it("ticks just past each whole second, from the wall clock", () => {
    const c = clock();
    expect(shown(c)).toBe("06:00:00");
    vi.advanceTimersByTime(3 * SECOND + 5);
    expect(shown(c)).toBe("05:59:57");
    expect(shown(c)).toBe(expected());
  });

  it("is right at the next tick after the clock jumps an hour forward", () => {
    const c = clock();
    vi.advanceTimersByTime(10 * SECOND + 5);
    vi.setSystemTime(Date.now() + HOUR);
    // Until the next tick the row still shows what it showed; then the wall clock's answer.
    expect(shown(c)).toBe("05:59:50");
    vi.advanceTimersToNextTimer();
    expect(shown(c)).toBe(expected());
    expect(shown(c)).toBe("04:59:49");
  });

  it("is right at the next tick after the clock jumps an hour back", () => {
    const c = clock();
    vi.advanceTimersByTime(10 * SECOND + 5);
    vi.setSystemTime(Date.now() - HOUR);
    vi.advanceTimersToNextTimer();
    expect(shown(c)).toBe(expected());
    expect(shown(c)).toBe("06:59:49");
    vi.advanceTimersByTime(SECOND);
    expect(shown(c)).toBe("06:59:48");
  });

  it("is right at the first tick after a suspend of minutes without ticks", () => {
    const c = clock();
    vi.advanceTimersByTime(5 * SECOND + 5);
    // Suspended: no timer runs while twelve minutes pass, then the pending tick fires late.
    vi.setSystemTime(Date.now() + 12 * MINUTE);
    vi.advanceTimersToNextTimer();
    expect(shown(c)).toBe(expected());
    expect(shown(c)).toBe("05:47:54");
    vi.advanceTimersByTime(SECOND);
    expect(shown(c)).toBe("05:47:53");
  });

  it("catches up at once when a window hidden over the jump is shown again", () => {
    const c = clock();
    const hidden = vi.spyOn(document, "hidden", "get").mockReturnValue(true);
    document.dispatchEvent(new Event("visibilitychange"));
    vi.setSystemTime(Date.now() + HOUR);
    vi.advanceTimersByTime(30 * SECOND);
    // Hidden: nothing ticked, nobody is shown a countdown.
    expect(shown(c)).toBe("06:00:00");
    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event("visibilitychange"));
    expect(shown(c)).toBe(expected());
    expect(shown(c)).toBe("04:59:30");
  });

  it("never shows more than was granted when the clock goes back before the start", () => {
    const c = clock();
    vi.setSystemTime(START - HOUR);
    vi.advanceTimersToNextTimer();
    expect(shown(c)).toBe("08:00:00");
  });
});
