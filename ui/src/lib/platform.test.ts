// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { markPlatform, platformOf } from "./platform";

describe("platformOf", () => {
  it("tells the three desktops' web views apart", () => {
    expect(platformOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe("mac");
    expect(
      platformOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    ).toBe("windows");
    expect(platformOf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")).toBe("linux");
  });

  it("treats anything else (a BSD, an empty agent) as the fontconfig desktops", () => {
    expect(platformOf("Mozilla/5.0 (X11; FreeBSD amd64) AppleWebKit/605.1.15")).toBe("linux");
    expect(platformOf("")).toBe("linux");
  });
});

describe("markPlatform", () => {
  it("names the platform on the root element, where app.css picks the font stacks", () => {
    const root = document.createElement("html");
    expect(markPlatform(root, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")).toBe("windows");
    expect(root.dataset.platform).toBe("windows");
  });
});
