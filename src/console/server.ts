// The web console (`hark run --console HOST:PORT`, docs/console.md): one page (public/, served as it is)
// and one WebSocket. fastify serves both; @fastify/websocket carries the live feed (src/console/events.ts)
// out and typed text, push-to-talk PCM and the page's wishes in; dropped WAV files come as an HTTP POST.
// Every request and socket passes src/console/auth.ts first.
//
// The socket's protocol (JSON text messages; binary = audio):
//   page → hark: {type:"text", text, session?}; {type:"talk", state:"start"|"stop", session?} with binary
//                s16le 16 kHz mono PCM between them; {type:"speech", on} (play spoken answers here).
//   hark → page: {type:"snapshot"} first, then level, vad, partial, heard, state, timings, command, ack,
//                device, answer, speech (+ the answer's WAV as the next binary message), talk, error.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import fastifyWebsocket from "@fastify/websocket";
import type { WebSocket } from "ws";
import pino, { type Logger } from "pino";
import type { HarkRuntime } from "../run/runtime.js";
import { AudioError } from "../audio/errors.js";
import { admit, type Listen } from "./auth.js";
import { ConsoleAudio, ConsoleSpeaker, type Talk } from "./audio.js";
import { ConsoleFeed, type ConsoleMessage } from "./events.js";

export interface ConsoleOptions extends Listen {
  rt: HarkRuntime;
  /** Every request and socket must carry it; required beyond loopback (checkListen, before this). */
  token?: string;
  log?: Logger;
  /** Audio from the page (push-to-talk, WAV drop); false with a reason when the microphone path is taken. */
  audioInput?: true | { reason: string };
  /** Speak answers in the page (default: the runtime's speech.enabled). */
  speech?: boolean;
  /**
   * Load and warm the recognizer now, in the background (`hark run --console` does), rather than at the
   * first push-to-talk. It keeps the process busy for a few seconds.
   */
  warm?: boolean;
  /** Dropped WAV files play at their own pace (default true; tests may hurry). */
  realTime?: boolean;
  /** The page's folder (default: src/console/public in the package). */
  publicDir?: string;
}

export interface ConsoleServer {
  /** http://HOST:PORT/ as bound (the port chosen when 0 was asked for; 127.0.0.1 for 0.0.0.0). */
  url: string;
  port: number;
  feed: ConsoleFeed;
  close(): Promise<void>;
}

/** The page's files: src/console/public in the package, found from here whether this runs from src/ or dist/. */
export function publicDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "src", "console", "public");
    if (existsSync(join(p, "index.html"))) return p;
    dir = dirname(dir);
  }
  throw new Error("the console's page (src/console/public/index.html) is missing from the package");
}

const MAX_TEXT = 2000;
const MAX_WAV_BYTES = 64 * 1024 * 1024;

export async function startConsole(o: ConsoleOptions): Promise<ConsoleServer> {
  const { rt } = o;
  const log = o.log ?? pino({ level: "silent" });
  const audioInput = o.audioInput ?? true;
  const speech = o.speech ?? rt.config.speech.enabled;
  const feed = new ConsoleFeed(rt, {
    input: audioInput === true,
    speech,
    ...(audioInput !== true ? { reason: audioInput.reason } : !speech ? { reason: "spoken answers are off (--no-speak)" } : {}),
  });
  const audio = new ConsoleAudio(rt, log, (message) => feed.send({ type: "error", message }));
  const speaker = new ConsoleSpeaker(rt.config.speech.voice, log);
  const listeners = new Set<WebSocket>();

  // forceCloseConnections: close() ends keep-alive connections too (a page or program left open must not hold hark up).
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.addHook("onRequest", async (req, reply) => {
    const upgrade = String(req.headers.upgrade ?? "").toLowerCase() === "websocket";
    const v = admit({ url: req.url, headers: req.headers }, o.token, upgrade);
    if (!v.ok) {
      log.info({ url: req.url.replace(/token=[^&]*/, "token=…"), status: v.status }, "console: request refused");
      // A refused socket's connection is no HTTP server's any more: end it once the answer is out.
      if (upgrade) {
        reply.header("connection", "close");
        reply.raw.once("finish", () => req.raw.socket?.destroy());
      }
      return reply.code(v.status).header("cache-control", "no-store").send({ error: v.error });
    }
    if (v.setCookie) reply.header("set-cookie", v.setCookie);
    return undefined;
  });
  app.addContentTypeParser(["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"], { parseAs: "buffer", bodyLimit: MAX_WAV_BYTES }, (_req, body, done) => done(null, body));
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(fastifyStatic, { root: o.publicDir ?? publicDir(), prefix: "/", index: ["index.html"], cacheControl: false });

  app.get("/api/state", async () => feed.snapshot());

  // Typed text, as the page's text box sends it over the socket; answers as JSON (scripts, curl).
  app.post("/api/text", async (req, reply) => {
    const body = (req.body ?? {}) as { text?: unknown; session?: unknown };
    if (typeof body.text !== "string" || !body.text.trim() || body.text.length > MAX_TEXT) return reply.code(400).send({ error: `"text" must be a request of 1 to ${MAX_TEXT} characters` });
    const answers = await rt.handle({ text: body.text, ...(typeof body.session === "string" ? { session: body.session } : {}) });
    return { answers };
  });

  // A dropped WAV: heard through the live path; what hark made of it arrives on the socket.
  app.post("/api/wav", async (req, reply) => {
    const session = new URL(req.url, "http://x").searchParams.get("session") ?? rt.defaultSession.info.id;
    if (audioInput !== true) return reply.code(409).send({ error: audioInput.reason });
    if (!rt.sessions.get(session)) return reply.code(400).send({ error: `there is no session called ${session}` });
    if (!Buffer.isBuffer(req.body) || !req.body.length) return reply.code(400).send({ error: "send the WAV file as the request body (Content-Type: audio/wav)" });
    try {
      const r = await audio.replay(req.body, session, { realTime: o.realTime !== false });
      feed.send({ type: "talk", state: "replay", session, seconds: Math.round(r.seconds * 100) / 100 });
      void r.done.then(() => feed.send({ type: "talk", state: "done", session }));
      return reply.code(202).send({ session, seconds: r.seconds });
    } catch (err) {
      if (err instanceof AudioError) return reply.code(/already listening/.test(err.message) ? 409 : 400).send({ error: err.message });
      throw err;
    }
  });

  // Spoken answers for the pages that want them: the text and timing first, then the WAV.
  const offAnswer = rt.events.on("answer", (a) => {
    if (!speech || !a.speech || ![...listeners].some((s) => s.readyState === s.OPEN)) return;
    void speaker.speak(a.speech).then((spoken) => {
      if (!spoken) return;
      const meta = JSON.stringify({ type: "speech", session: a.session, text: a.speech, ms: spoken.ms, seconds: Math.round(spoken.seconds * 100) / 100 });
      for (const s of listeners) {
        if (s.readyState !== s.OPEN) continue;
        s.send(meta);
        s.send(spoken.wav, { binary: true });
      }
    });
  });

  await app.register(async (scope) => {
    scope.get("/ws", { websocket: true }, (socket) => {
      const send = (m: ConsoleMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      const fail = (message: string) => send({ type: "error", message });
      send(feed.snapshot() as unknown as ConsoleMessage);
      const off = feed.subscribe(send);
      let talk: Talk | undefined;
      socket.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (isBinary) {
          talk?.push(bytes);
          return;
        }
        let m: { type?: unknown; text?: unknown; session?: unknown; state?: unknown; on?: unknown };
        try {
          m = JSON.parse(bytes.toString("utf8")) as typeof m;
        } catch {
          return fail("not a JSON message");
        }
        const session = typeof m.session === "string" && m.session ? m.session : rt.defaultSession.info.id;
        switch (m.type) {
          case "text":
            if (typeof m.text !== "string" || !m.text.trim() || m.text.length > MAX_TEXT) return fail(`a request is 1 to ${MAX_TEXT} characters`);
            void rt.handle({ session, text: m.text }).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
            return;
          case "talk":
            if (m.state === "start") {
              if (audioInput !== true) return fail(audioInput.reason);
              if (talk) return;
              if (!rt.sessions.get(session)) return fail(`there is no session called ${session}`);
              const t = audio.talk(session);
              if (typeof t === "string") return fail(t);
              talk = t;
              feed.send({ type: "talk", state: "start", session });
              void t.done.then(() => feed.send({ type: "talk", state: "done", session }));
            } else if (m.state === "stop" && talk) {
              talk.end();
              talk = undefined;
              feed.send({ type: "talk", state: "stop", session });
            }
            return;
          case "speech":
            if (m.on === true) listeners.add(socket);
            else listeners.delete(socket);
            return;
          default:
            return fail(`unknown message type ${JSON.stringify(m.type)}`);
        }
      });
      socket.on("close", () => {
        off();
        listeners.delete(socket);
        talk?.end();
      });
    });
  });

  await app.listen({ host: o.host, port: o.port });
  if (o.warm && audioInput === true) void audio.warm().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "console: the recognizer failed to load"));
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  // Bound to every address: the address to open on this machine.
  const host = o.host === "0.0.0.0" ? "127.0.0.1" : o.host === "::" ? "::1" : o.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  log.info({ url }, "console listening");
  return {
    url,
    port,
    feed,
    async close() {
      offAnswer();
      feed.close();
      await app.close();
      speaker.close();
    },
  };
}
