import { afterEach, describe, expect, it } from "vitest";
import { markStartup } from "./startup-marks";

describe("markStartup", () => {
  afterEach(() => performance.clearMarks());

  it("sets each phase's mark once per page, however often it is reached", () => {
    markStartup("test-phase");
    markStartup("test-phase");
    markStartup("other-test-phase");
    expect(performance.getEntriesByName("latchkey:test-phase", "mark")).toHaveLength(1);
    expect(performance.getEntriesByName("latchkey:other-test-phase", "mark")).toHaveLength(1);
  });
});
