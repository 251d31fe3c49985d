import { describe, expect, it } from "vitest";
import { isErrorCode, toAppError } from "./backend";

describe("toAppError", () => {
  it("passes a well-formed AppError from Rust through unchanged", () => {
    const error = { code: "signInCodeExpired", message: "The code expired. Get a new code." };
    expect(toAppError(error)).toEqual(error);
  });

  it("drops extra fields so only code and message reach the UI", () => {
    expect(toAppError({ code: "throttled", message: "Wait a minute.", retryAfter: 60 })).toEqual({
      code: "throttled",
      message: "Wait a minute.",
    });
  });

  it("keeps the message of an Error but calls it internal", () => {
    expect(toAppError(new TypeError("invoke is not a function"))).toEqual({
      code: "internal",
      message: "invoke is not a function",
    });
  });

  it("turns a bare string (how Tauri reports a missing command) into an internal error", () => {
    expect(toAppError("command list_group_eligibilities not found")).toEqual({
      code: "internal",
      message: "command list_group_eligibilities not found",
    });
  });

  it("treats a code this UI does not know as internal, keeping the message", () => {
    expect(toAppError({ code: "quotaExceeded", message: "Try tomorrow." })).toEqual({
      code: "internal",
      message: "Try tomorrow.",
    });
  });

  it("never shows an empty or missing message", () => {
    for (const reason of [
      { code: "network", message: "" },
      { code: "network" },
      { code: "network", message: 42 },
      {},
      null,
      undefined,
      "",
      "   ",
      17,
      [],
    ]) {
      const error = toAppError(reason);
      expect(error.code).toBe("internal");
      expect(error.message).toMatch(/\S/);
    }
  });
});

describe("isErrorCode", () => {
  it("knows the contract's codes and nothing else", () => {
    expect(isErrorCode("notSignedIn")).toBe(true);
    expect(isErrorCode("internal")).toBe(true);
    expect(isErrorCode("NotSignedIn")).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
