/** The process events Emscripten's Node glue listens to. */
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

type Listener = (...args: unknown[]) => void;

/** The part of Node's `process` used here (absent in a browser). */
interface ProcessEvents {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
}

/**
 * Runs `fn` and removes the `uncaughtException` / `unhandledRejection` listeners it added to
 * `process`. tfjs-backend-wasm's Emscripten module installs listeners that rethrow every error, so
 * that any later unhandled error (even one peftjs reports cleanly) makes Node print the whole
 * minified module source line before the message. Without them Node's default reporting applies.
 * A no-op outside Node (no `process`).
 */
export async function withoutNewProcessHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: ProcessEvents }).process;
  if (proc === undefined || typeof proc.listeners !== 'function') return fn();
  const before = new Map(EVENTS.map((event) => [event, new Set(proc.listeners(event))]));
  try {
    return await fn();
  } finally {
    for (const event of EVENTS) {
      const known = before.get(event) ?? new Set<Listener>();
      for (const listener of proc.listeners(event)) {
        if (!known.has(listener)) proc.removeListener(event, listener);
      }
    }
  }
}
