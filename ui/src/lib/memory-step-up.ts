// The browser sign-in a step-up waits for, in the fake: it finishes when a test (or the demo's
// timer) says the person signed in, or ends with `signInCancelled` when the app cancels it.
import type { AppError } from "./bindings/AppError";

interface Pending {
  resolve: () => void;
  reject: (error: AppError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class FakeBrowserSignIn {
  /** When set, a sign-in finishes by itself this long after it started (the browser demo). */
  autoCompleteMs: number | null;
  #pending: Pending | null = null;

  constructor(autoCompleteMs: number | null = null) {
    this.autoCompleteMs = autoCompleteMs;
  }

  /** Whether a sign-in is waiting for the person. */
  get waiting(): boolean {
    return this.#pending !== null;
  }

  /** Resolves once the person signed in; rejects when canceled or when one is already under way. */
  wait(): Promise<void> {
    if (this.#pending !== null) {
      return Promise.reject<void>({
        code: "invalidInput",
        message: "A sign-in is already waiting in your browser. Finish or cancel it first.",
      } satisfies AppError);
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { resolve, reject, timer: undefined };
      if (this.autoCompleteMs !== null) {
        pending.timer = setTimeout(() => this.complete(), this.autoCompleteMs);
      }
      this.#pending = pending;
    });
  }

  /** Test hook: the person finished signing in. Returns false when nothing waited. */
  complete(): boolean {
    return this.#settle((p) => p.resolve());
  }

  /** The app canceled: the waiting call rejects with `signInCancelled`. */
  cancel(): boolean {
    return this.#settle((p) =>
      p.reject({ code: "signInCancelled", message: "You canceled the sign-in. Nothing was sent again." }),
    );
  }

  #settle(how: (pending: Pending) => void): boolean {
    const pending = this.#pending;
    if (pending === null) {
      return false;
    }
    clearTimeout(pending.timer);
    this.#pending = null;
    how(pending);
    return true;
  }
}
