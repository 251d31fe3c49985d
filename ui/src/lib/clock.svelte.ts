/** A reactive "now" in ms since the epoch. */
export interface Clock {
  readonly now: number;
}

/**
 * A clock that ticks on every whole `intervalMs` of wall-clock time, but only while the page is
 * visible: a hidden window has nobody to show a countdown to, and catches up the moment it is shown.
 * Call it while a component initialises; it stops when the component is destroyed.
 */
export function createClock(intervalMs: number): Clock {
  let now = $state(Date.now());

  $effect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;

    const tick = () => {
      // A local copy: reading `now` here would make this effect depend on what it writes, and an
      // effect created after the first render (a view opened later) would then re-run forever.
      const at = Date.now();
      now = at;
      // Aim just past the next boundary so a countdown to a whole second changes on time.
      timer = setTimeout(tick, intervalMs - (at % intervalMs) + 5);
    };
    const stop = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const onVisibilityChange = () => {
      stop();
      if (!document.hidden) {
        tick();
      }
    };

    onVisibilityChange();
    document.addEventListener("visibilitychange", onVisibilityChange);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibilityChange);
    };
  });

  return {
    get now() {
      return now;
    },
  };
}
