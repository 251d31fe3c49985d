// Startup phase marks (User Timing, `latchkey:*`) that the window benchmark reads
// (scripts/bench-window.sh). Each is set once per page: a component mounted again later (a view
// switched back, another account) does not add marks that no longer describe the start.

const marked = new Set<string>();

/** Sets the User Timing mark `latchkey:<phase>` the first time this page reaches `phase`. */
export function markStartup(phase: string): void {
  if (marked.has(phase)) return;
  marked.add(phase);
  performance.mark(`latchkey:${phase}`);
}
