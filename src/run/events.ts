// Typed events: what the running assistant does (HarkRuntime.events, its map RuntimeEventMap in
// runtime.ts). Ways in that watch it (the web console, src/console/) subscribe here instead of reading its
// logs. Emitting costs nothing when nobody listens; a listener that throws is the listener's problem,
// never the dialog's (see emit()).
import { EventEmitter } from "node:events";

export class TypedEvents<M extends object> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Several consoles may watch one runtime.
    this.emitter.setMaxListeners(100);
  }

  /** Listen to one event; returns the function that stops listening. */
  on<K extends keyof M & string>(name: K, listener: (e: M[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => void this.emitter.off(name, listener);
  }

  /** Tell every listener; a listener's error is swallowed so that watching never breaks the dialog. */
  emit<K extends keyof M & string>(name: K, e: M[K]): void {
    for (const l of this.emitter.listeners(name)) {
      try {
        (l as (x: M[K]) => void)(e);
      } catch {
        /* a watcher's fault */
      }
    }
  }

  /** Does anyone listen (to skip work that only a listener needs)? */
  listens(name: keyof M & string): boolean {
    return this.emitter.listenerCount(name) > 0;
  }
}
