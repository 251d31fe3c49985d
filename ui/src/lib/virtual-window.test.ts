import { describe, expect, it } from "vitest";
import { scrollToReveal, visibleRange } from "./virtual-window";

describe("visibleRange", () => {
  const base = { rowHeight: 100, count: 2_000, overscan: 5, viewportHeight: 600 };

  it("is the rows in view plus the overscan, clamped to the list", () => {
    expect(visibleRange({ ...base, scrollTop: 0 })).toEqual({ start: 0, end: 11 });
    expect(visibleRange({ ...base, scrollTop: 100_050 })).toEqual({ start: 995, end: 1_012 });
    expect(visibleRange({ ...base, scrollTop: 199_400 })).toEqual({ start: 1_989, end: 2_000 });
    expect(visibleRange({ ...base, scrollTop: -36 })).toEqual({ start: 0, end: 11 });
  });

  it("does not grow with the list", () => {
    const small = visibleRange({ ...base, count: 200, scrollTop: 5_000 });
    const large = visibleRange({ ...base, count: 200_000, scrollTop: 5_000 });
    expect(small.end - small.start).toBe(large.end - large.start);
  });

  it("assumes a viewport before layout, and renders nothing of an empty list", () => {
    expect(visibleRange({ ...base, viewportHeight: 0, scrollTop: 0, fallbackHeight: 300 })).toEqual({ start: 0, end: 8 });
    expect(visibleRange({ ...base, count: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, count: 3, scrollTop: 0 })).toEqual({ start: 0, end: 3 });
  });
});

describe("visibleRange with minRows", () => {
  it("renders a short list whole and keeps at least minRows of a long one", () => {
    const base = { rowHeight: 100, overscan: 2, viewportHeight: 300, minRows: 30 };
    expect(visibleRange({ ...base, count: 17, scrollTop: 0 })).toEqual({ start: 0, end: 17 });
    expect(visibleRange({ ...base, count: 2_000, scrollTop: 0 })).toEqual({ start: 0, end: 30 });
    expect(visibleRange({ ...base, count: 2_000, scrollTop: 199_700 })).toEqual({ start: 1_970, end: 2_000 });
  });
});

describe("scrollToReveal", () => {
  it("scrolls just enough to show a row below or above the viewport, under the sticky header", () => {
    // Viewport 600 px, header 36 px, rows 100 px: row 10 spans 1,036..1,136.
    expect(scrollToReveal(10, 0, 600, 100, 36)).toBe(536);
    expect(scrollToReveal(10, 2_000, 600, 100, 36)).toBe(1_000);
    expect(scrollToReveal(3, 0, 600, 100, 36)).toBe(0);
  });
});
