import { get } from "svelte/store";
import { afterEach, describe, expect, it } from "vitest";
import { clearFocusRequest, focusKeyFromHash, focusRequest, markFormOpened, requestFocus } from "./focus-request";

afterEach(() => clearFocusRequest());

describe("focus requests", () => {
  it("reads the key Rust put in a new window's fragment", () => {
    // What src-tauri's window::activation_page makes of a role at an administrative unit.
    expect(focusKeyFromHash("#activate=role%7Cf2ef992c%7C%2Fadministrativeunits%2Fx+y")).toBe(
      "role|f2ef992c|/administrativeunits/x y",
    );
    expect(focusKeyFromHash("#approvals")).toBeNull();
    expect(focusKeyFromHash("#activate=")).toBeNull();
    expect(focusKeyFromHash("#activate=%E0%A4%A")).toBeNull();
  });

  it("marks only its own request as opened; a repeat is a new request", () => {
    const first = requestFocus("group|a|member");
    const second = requestFocus("group|a|member");
    expect(second).toBeGreaterThan(first);
    markFormOpened(first);
    expect(get(focusRequest)).toEqual({ targetKey: "group|a|member", seq: second, formOpened: false });
    markFormOpened(second);
    expect(get(focusRequest)?.formOpened).toBe(true);
  });
});
