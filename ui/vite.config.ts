/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Tauri serves `dist/` at the app root, so the default base ("/") is right.
export default defineConfig({
  plugins: [svelte()],
  // Keep Rust's compiler output visible when both run in one terminal.
  clearScreen: false,
  server: {
    host: "127.0.0.1",
    port: 1420,
    // Tauri's devUrl points at this exact port; failing beats silently moving.
    strictPort: true,
  },
  // `vite preview` serves the build under a CSP at least as strict as the app's, so a browser
  // test of dist/ catches inline scripts or styles before the real window does.
  preview: {
    host: "127.0.0.1",
    headers: {
      "Content-Security-Policy":
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The Linux web view is WebKitGTK 2.50 (Safari 16+ level JavaScript and CSS).
    target: "safari16",
    sourcemap: false,
  },
  // Component tests (`*.dom.test.ts`) mount Svelte in happy-dom, so Svelte must resolve to its
  // browser build there; everything else runs in plain Node.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : {},
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
