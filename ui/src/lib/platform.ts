/**
 * Which desktop the page runs on, from the web view's user agent: WKWebView says "Mac OS X",
 * WebView2 "Windows", WebKitGTK "Linux" (or a BSD). Only for choices the CSS cannot make itself,
 * such as the font stacks (`app.css`), never for behaviour.
 */
export type Platform = "mac" | "windows" | "linux";

export function platformOf(userAgent: string): Platform {
  if (/Mac OS X|Macintosh/.test(userAgent)) return "mac";
  if (/Windows/.test(userAgent)) return "windows";
  return "linux";
}

/**
 * Names the platform on the root element (`data-platform`) before anything is laid out.
 *
 * Why the font stacks depend on it: WebKitGTK looks every family of a stack up in fontconfig, for
 * each size and weight in use, until one is installed — and a family named for another desktop
 * ("Segoe UI", "SF Mono", …) never is. With the cross-platform stacks of ten and eight names the
 * first layout of the window took 355–390 ms on the window benchmark's machine; with Linux's
 * generic families it took 187–227 ms (BENCHMARKS.md, session 7).
 */
export function markPlatform(root: HTMLElement, userAgent: string): Platform {
  const platform = platformOf(userAgent);
  root.dataset.platform = platform;
  return platform;
}
