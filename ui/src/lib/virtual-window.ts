// Which rows of a long list of fixed-height rows are worth having in the DOM: the ones in the
// viewport plus an overscan on each side, so a search over 2,000 eligibilities repaints about
// thirty rows, not two thousand.

/** The viewport height assumed before the first layout (and in DOM-less tests), in px. */
export const FALLBACK_VIEWPORT_HEIGHT = 800;

export interface WindowInput {
  /** How far the rows' top edge is scrolled above the viewport's top, in px (may be negative). */
  scrollTop: number;
  /** The viewport's height in px; 0 when not laid out yet (then `fallbackHeight`). */
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows kept beyond each edge. */
  overscan: number;
  /** Assumed viewport height before the first layout (and in DOM-less tests). */
  fallbackHeight?: number;
  /**
   * At least this many rows are rendered (fewer only when the list is shorter), widening the
   * overscan: a short list is entirely in the DOM, so finding a row by its text works there.
   */
  minRows?: number;
}

/** Half-open index range `[start, end)` of the rows to render. */
export interface RowRange {
  start: number;
  end: number;
}

export function visibleRange(input: WindowInput): RowRange {
  const { rowHeight, count, overscan } = input;
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0 };
  }
  const height = input.viewportHeight > 0 ? input.viewportHeight : (input.fallbackHeight ?? FALLBACK_VIEWPORT_HEIGHT);
  const top = Math.max(0, input.scrollTop);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + height) / rowHeight);
  let start = Math.min(count, Math.max(0, first - overscan));
  let end = Math.min(count, Math.max(start, last + overscan));
  const least = Math.min(count, input.minRows ?? 0);
  if (end - start < least) {
    end = Math.min(count, start + least);
    start = Math.max(0, end - least);
  }
  return { start, end };
}

/**
 * The scrollTop that brings row `index` fully into a viewport of `viewportHeight` whose top
 * `headerHeight` px are covered by a sticky header, or `scrollTop` when it already is.
 */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  headerHeight: number,
): number {
  const height = viewportHeight > 0 ? viewportHeight : FALLBACK_VIEWPORT_HEIGHT;
  const rowTop = headerHeight + index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop - headerHeight < scrollTop) {
    return rowTop - headerHeight;
  }
  if (rowBottom > scrollTop + height) {
    return rowBottom - height;
  }
  return scrollTop;
}
