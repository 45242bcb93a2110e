// hark as a Wyoming service (rhasspy/wyoming; docs/wyoming.md): `hark wyoming` and `hark run --wyoming`.
//   framing.ts  the byte format: header line, data block, payload; limits
//   events.ts   event names and fields, the `info` structure, errors
//   audio.ts    declared PCM formats → 16 kHz mono float (and back to 16-bit for synthesized speech)
//   services.ts the seam the server serves: asr, intent, handle, tts, wake
//   hark.ts     those services on a running hark (HarkRuntime)
//   server.ts   TCP server, one connection per client
import type { Logger } from "pino";
import type { HarkRuntime } from "../run/runtime.js";
import { harkServices, type HarkServicesOptions } from "./hark.js";
import { WyomingServer, type WyomingServerOptions } from "./server.js";

export { WyomingServer, parseWyomingUri, type WyomingServerOptions } from "./server.js";
export { harkServices, handledFrom, wakeName, type HarkServicesOptions } from "./hark.js";
export { encodeEvent, FrameParser, DEFAULT_LIMITS, WYOMING_VERSION, type WyomingEvent, type FrameLimits } from "./framing.js";
export type { WyomingServices, WakeService, WakeDetector } from "./services.js";
export type { Info, Recognized, HandleResult } from "./events.js";

export interface WyomingHandle {
  server: WyomingServer;
  /** Settles when the recognizer, voice and spotter are loaded and warm (requests are served before, only slower). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Serve a running hark over Wyoming at `uri` (tcp://HOST:PORT) until `stop()`. */
export async function serveWyoming(rt: HarkRuntime, uri: string, o: HarkServicesOptions & Omit<WyomingServerOptions, "log"> & { log?: Logger } = {}): Promise<WyomingHandle> {
  const services = await harkServices(rt, o);
  let server: WyomingServer;
  try {
    server = await WyomingServer.listen(uri, services, o);
  } catch (err) {
    await services.close();
    throw err;
  }
  // Warmed in the background: the server answers at once, the first transcript does not wait ≈ 2 s.
  const ready = (services.warmUp?.() ?? Promise.resolve()).catch((err: unknown) => {
    o.log?.warn({ err: err instanceof Error ? err.message : String(err) }, "wyoming warm-up failed: the first requests load what they need");
  });
  let stopping: Promise<void> | undefined;
  return {
    server,
    ready,
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await ready;
        await services.close();
      })()),
  };
}
