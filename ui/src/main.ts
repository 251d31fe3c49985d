import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import type { Backend } from "./lib/backend";
import { markPlatform } from "./lib/platform";
import { markStartup } from "./lib/startup-marks";
import { insideTauri, TauriBackend } from "./lib/tauri-backend";

// The first statement of the module's body: the bundle has been parsed and its imports evaluated.
markStartup("main-start");
// Before the first layout: the font stacks in app.css depend on it.
markPlatform(document.documentElement, navigator.userAgent);

declare global {
  interface Window {
    /** The in-memory backend's test hooks, when running in a plain browser. */
    latchkeyMemoryBackend?: import("./lib/memory-backend").MemoryBackend;
  }
}

/** What the page starts with. */
interface Start {
  backend: Backend;
  /** Eligibility ids whose activation form opens once signed in (demo pages only). */
  openActivation: string[];
}

/** The `activation` demo opens the form for a group and a role whose policies differ. */
const DEMO_ACTIVATE = ["ge-k8s", "re-user-admin-berlin"];

/**
 * Inside Tauri: the real backend. In a plain browser (development, component tests): the
 * in-memory one, starting in the state named by `?demo=` (see SCENARIOS), with `?tenant=configured`
 * for a non-sandbox tenant, `?latency=ms` to slow every call down, `?codeSeconds=n` for
 * short-lived sign-in codes, `?stepUpSeconds=n` for how long the pretend browser step-up takes
 * and `?activate=id,id` to open the activation form for those
 * eligibilities.
 */
async function chooseStart(): Promise<Start> {
  if (insideTauri()) {
    return { backend: new TauriBackend(), openActivation: [] };
  }
  const { CONFIGURED_TENANT, MemoryBackend, isScenario } = await import("./lib/memory-backend");
  const params = new URLSearchParams(window.location.search);
  const demo = params.get("demo");
  const latency = Number(params.get("latency") ?? 300);
  const codeSeconds = Number(params.get("codeSeconds") ?? 15 * 60);
  const stepUpSeconds = Number(params.get("stepUpSeconds") ?? 4);
  const backend = MemoryBackend.scenario(isScenario(demo) ? demo : "signed-out", {
    latencyMs: Number.isFinite(latency) ? latency : 0,
    codeLifetimeSeconds: Number.isFinite(codeSeconds) ? codeSeconds : 15 * 60,
    stepUpAutoCompleteMs: Number.isFinite(stepUpSeconds) ? stepUpSeconds * 1000 : 4000,
    ...(params.get("tenant") === "configured" ? { tenant: CONFIGURED_TENANT } : {}),
  });
  window.latchkeyMemoryBackend = backend;
  const activate = params.get("activate");
  const openActivation =
    activate !== null ? activate.split(",").filter((id) => id !== "") : demo === "activation" ? DEMO_ACTIVATE : [];
  return { backend, openActivation };
}

const target = document.getElementById("app");
if (target === null) {
  throw new Error("index.html has no #app element");
}
mount(App, { target, props: await chooseStart() });
