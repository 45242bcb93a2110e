// The web console's server (src/console/): who may in (loopback without a token, everything with one,
// never beyond loopback without one), the page's files, and the live feed over the socket: typed text and
// push-to-talk PCM go in through the same paths as the terminal and the microphone, and what the runtime
// does comes out (transcripts, intents, the decision, each MQTT command and its confirmation, devices,
// timings). The real page in a real browser: test/console-browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import WebSocket from "ws";
import { admit, checkListen, isLoopback, parseListen, requestToken } from "../src/console/auth.js";
import { startConsole, type ConsoleServer } from "../src/console/server.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { UsageError } from "../src/platform/errors.js";
import { hark, HARK } from "./helpers/cli.js";
import { spawn } from "node:child_process";
import { matcherRuntime } from "./helpers/runtime.js";

type Msg = { type: string } & Record<string, unknown>;

/** A socket that collects every JSON message, with a wait for the first one that matches. */
class Client {
  readonly messages: Msg[] = [];
  readonly binary: Buffer[] = [];
  private waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) return void this.binary.push(data);
      const m = JSON.parse(data.toString()) as Msg;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.test(m) ? (w.resolve(m), false) : true));
    });
  }
  static open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const c = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(c));
      ws.once("unexpected-response", (req, res) => {
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.once("error", reject);
    });
  }
  next(test: (m: Msg) => boolean, ms = 20_000): Promise<Msg> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms; got ${this.messages.map((m) => m.type).join(", ")}`)), ms);
      this.waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
  close(): void {
    this.ws.close();
  }
}

describe("console auth rules", () => {
  it("HOST:PORT, loopback names, and no listening beyond loopback without a token", () => {
    expect(parseListen("127.0.0.1:8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen("localhost:80")).toEqual({ host: "localhost", port: 80 });
    for (const bad of ["8080", "127.0.0.1", "127.0.0.1:99999", "[nope]:80", ":80"]) expect(() => parseListen(bad), bad).toThrow(UsageError);
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "192.168.1.10", "::", "example.org", "10.0.0.1"]) expect(isLoopback(h), h).toBe(false);
    expect(() => checkListen({ host: "0.0.0.0", port: 8080 }, undefined)).toThrow(/--console: listening on 0\.0\.0\.0 needs a token/);
    expect(() => checkListen({ host: "0.0.0.0", port: 8080 }, "a-long-token")).not.toThrow();
    expect(() => checkListen({ host: "127.0.0.1", port: 8080 }, undefined)).not.toThrow();
  });

  it("a token from ?token=, Authorization: Bearer or the console's cookie; Host and Origin checks", () => {
    const h = (headers: Record<string, string>, url = "/") => ({ url, headers });
    expect(requestToken(h({}, "/?token=abc"))).toEqual({ token: "abc", from: "query" });
    expect(requestToken(h({ authorization: "Bearer xyz" }))).toEqual({ token: "xyz", from: "header" });
    expect(requestToken(h({ cookie: "a=1; hark_console=t%3D1" }))).toEqual({ token: "t=1", from: "cookie" });
    const T = "secret-token-1";
    expect(admit(h({ host: "127.0.0.1:1" }), T)).toMatchObject({ ok: false, status: 401 });
    expect(admit(h({ host: "127.0.0.1:1" }, "/?token=wrong"), T)).toMatchObject({ ok: false, status: 401 });
    expect(admit(h({ host: "127.0.0.1:1" }, `/?token=${T}`), T)).toMatchObject({ ok: true, setCookie: expect.stringContaining("HttpOnly") });
    expect(admit(h({ host: "hark.lan:1", authorization: `Bearer ${T}` }), T)).toEqual({ ok: true });
    // No token: loopback names only (DNS rebinding), and sockets from the console's own page only.
    expect(admit(h({ host: "127.0.0.1:8080" }), undefined)).toEqual({ ok: true });
    expect(admit(h({ host: "evil.example:8080" }), undefined)).toMatchObject({ ok: false, status: 403 });
    expect(admit(h({ host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" }), undefined, true)).toEqual({ ok: true });
    expect(admit(h({ host: "127.0.0.1:8080", origin: "https://evil.example" }), undefined, true)).toMatchObject({ ok: false, status: 403 });
    expect(admit(h({ host: "127.0.0.1:8080", origin: "https://evil.example", authorization: `Bearer ${T}` }), T, true)).toMatchObject({ ok: false, status: 403 });
  });

  it("hark run: --console beyond loopback without a token is one line and exit status 2", () => {
    const r = hark(["run", "--console", "0.0.0.0:0", "--no-speak"], "", { HARK_CONSOLE_TOKEN: "" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^hark: --console: listening on 0\.0\.0\.0 needs a token/);
    const bad = hark(["run", "--console", "somewhere", "--no-speak"], "");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^hark: --console: expected HOST:PORT/);
    expect(hark(["run", "--help"]).stdout).toMatch(/--console <host:port>/);
  });

  it("hark run --console 0.0.0.0:0 with $HARK_CONSOLE_TOKEN: 401 without it, answers with it, runs until Ctrl-C", async () => {
    const child = spawn(process.execPath, [HARK, "run", "--console", "0.0.0.0:0", "--no-speak"], {
      env: { ...process.env, HARK_CONSOLE_TOKEN: "token-from-env", HARK_SLM: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const until = Date.now() + 60_000;
      while (!/the console stays open/.test(stderr) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const url = /hark console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
      expect(url, stderr).toBeTruthy();
      expect((await fetch(url!)).status).toBe(401);
      const r = await fetch(`${url}api/text`, { method: "POST", headers: { authorization: "Bearer token-from-env", "content-type": "application/json" }, body: JSON.stringify({ text: "turn on the kitchen lights" }) });
      expect(r.status).toBe(200);
      const { answers } = (await r.json()) as { answers: Array<{ intents: Array<{ intent: string }> }> };
      expect(answers[0]?.intents[0]?.intent).toBe("HassTurnOn");
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});

describe("console server (in process, embedded broker, simulated home)", () => {
  let rt: HarkRuntime;
  let open: ConsoleServer;
  let locked: ConsoleServer;
  let wide: ConsoleServer;
  const TOKEN = "secret-token-1";

  beforeAll(async () => {
    rt = await matcherRuntime();
    open = await startConsole({ rt, host: "127.0.0.1", port: 0, realTime: false });
    locked = await startConsole({ rt, host: "127.0.0.1", port: 0, token: TOKEN });
    // Beyond loopback (all addresses), with its token; the test reaches it through 127.0.0.1 only.
    wide = await startConsole({ rt, host: "0.0.0.0", port: 0, token: TOKEN });
  }, 60_000);
  afterAll(async () => {
    await open?.close();
    await locked?.close();
    await wide?.close();
    await rt?.stop();
  });

  const at = (s: ConsoleServer, path: string) => `http://127.0.0.1:${s.port}${path}`;
  const wsAt = (s: ConsoleServer, path = "/ws") => `ws://127.0.0.1:${s.port}${path}`;

  it("serves the page's own files as they are in the repository", async () => {
    const page = await fetch(at(open, "/"));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toBe(readFileSync("src/console/public/index.html", "utf8"));
    for (const f of ["app.js", "style.css", "pcm-worklet.js"]) {
      const r = await fetch(at(open, `/${f}`));
      expect(r.status, f).toBe(200);
      expect(await r.text()).toBe(readFileSync(`src/console/public/${f}`, "utf8"));
    }
    const state = (await (await fetch(at(open, "/api/state"))).json()) as { devices: Array<{ id: string; state?: { state?: string } }>; sessions: unknown[] };
    expect(state.sessions.length).toBe(6);
    expect(state.devices.find((d) => d.id === "light.kitchen_pendants")).toBeTruthy();
  });

  it("with a token: HTTP 401 without it, in with ?token= (then a cookie) or a Bearer header", async () => {
    for (const s of [locked, wide]) {
      expect((await fetch(at(s, "/"))).status).toBe(401);
      expect((await fetch(at(s, "/app.js"))).status).toBe(401);
      expect((await fetch(at(s, "/api/state"))).status).toBe(401);
      expect((await fetch(at(s, "/?token=nope"))).status).toBe(401);
      const r = await fetch(at(s, `/?token=${TOKEN}`));
      expect(r.status).toBe(200);
      const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
      expect((await fetch(at(s, "/app.js"), { headers: { cookie } })).status).toBe(200);
      expect((await fetch(at(s, "/api/state"), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      await expect(Client.open(wsAt(s))).rejects.toThrow("HTTP 401");
      const c = await Client.open(wsAt(s, `/ws?token=${TOKEN}`));
      expect((await c.next((m) => m.type === "snapshot")).type).toBe("snapshot");
      c.close();
    }
  });

  it("without a token: loopback Host names only, and no socket from another site", async () => {
    // fetch() will not send another Host: a plain request as a rebinding page's browser would.
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => get({ host: "127.0.0.1", port: open.port, path: "/api/state", headers: { host } }, (res) => (res.resume(), resolve(res.statusCode!))).on("error", reject));
    expect(await status("evil.example")).toBe(403);
    expect(await status(`localhost:${open.port}`)).toBe(200);
    await expect(Client.open(wsAt(open), { origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    const c = await Client.open(wsAt(open), { origin: `http://127.0.0.1:${open.port}` });
    c.close();
  });

  it("typed text: the intent, the decision, each MQTT command and its confirmation, the device, the timings", async () => {
    const c = await Client.open(wsAt(open));
    const snap = await c.next((m) => m.type === "snapshot");
    expect(snap.defaultSession).toBe("living-room");
    c.send({ type: "text", text: "turn on the kitchen lights" });
    const answer = await c.next((m) => m.type === "answer");
    expect(answer).toMatchObject({ session: "living-room", text: "turn on the kitchen lights", kind: "answer", decision: { decision: "act" } });
    expect(answer.intents).toEqual([expect.objectContaining({ intent: "HassTurnOn", source: "matcher", confidence: 1 })]);
    const cmd = await c.next((m) => m.type === "command" && m.device === "light.kitchen_pendants");
    const ack = await c.next((m) => m.type === "ack" && m.id === cmd.id);
    expect(ack.ok).toBe(true);
    await c.next((m) => m.type === "device" && m.device === "light.kitchen_pendants" && String((m.state as { state?: string }).state).toLowerCase() === "on");
    const states = c.messages.filter((m) => m.type === "state" && m.session === "living-room").map((m) => m.state);
    expect(states).toEqual(expect.arrayContaining(["understanding", "acting"]));
    const timings = await c.next((m) => m.type === "timings" && m.session === "living-room");
    expect(Object.keys(timings.stages as object)).toEqual(expect.arrayContaining(["understanding", "acting"]));
    expect(timings.total).toBeGreaterThanOrEqual(0);
    // A refusal says why.
    c.send({ type: "text", text: "don't turn off the kitchen lights" });
    const refused = await c.next((m) => m.type === "answer" && m.text === "don't turn off the kitchen lights");
    expect((refused.decision as { decision: string }).decision).toBe("refuse");
    expect((refused.decision as { reason?: string }).reason).toBeTruthy();
    c.send({ type: "nonsense" });
    expect((await c.next((m) => m.type === "error")).message).toMatch(/unknown message type/);
    c.close();
  }, 30_000);

  it("push-to-talk PCM over the socket goes through the live path: level, VAD, transcript, intent", async () => {
    const c = await Client.open(wsAt(open));
    await c.next((m) => m.type === "snapshot");
    // A spoken fixture as the browser sends it: s16le 16 kHz mono, 20 ms messages, then silence.
    const wav = readFileSync("test/fixtures/audio/commands/0008-switch-the-lamp-on.wav");
    const pcm = Buffer.concat([wav.subarray(44), Buffer.alloc(16000 * 2)]);
    c.send({ type: "talk", state: "start", session: "living-room" });
    for (let i = 0; i < pcm.length; i += 640) c.ws.send(pcm.subarray(i, i + 640), { binary: true });
    c.send({ type: "talk", state: "stop" });
    const heard = await c.next((m) => m.type === "heard" && m.session === "living-room", 60_000);
    expect(heard.text).toBe("switch the lamp on");
    const answer = await c.next((m) => m.type === "answer" && m.session === "living-room", 20_000);
    expect((answer.intents as Array<{ intent: string }>)[0]?.intent).toBe("HassTurnOn");
    expect(c.messages.some((m) => m.type === "level" && m.session === "living-room")).toBe(true);
    expect(c.messages.some((m) => m.type === "vad" && m.speaking === true)).toBe(true);
    await c.next((m) => m.type === "talk" && m.state === "done");
    c.close();
  }, 90_000);

  it("a WAV file posted to /api/wav: heard through the same path; not audio: 400", async () => {
    const c = await Client.open(wsAt(open));
    await c.next((m) => m.type === "snapshot");
    const wav = readFileSync("test/fixtures/audio/commands/0003-decrease-the-volume.wav");
    const r = await fetch(at(open, "/api/wav?session=living-room"), { method: "POST", headers: { "content-type": "audio/wav" }, body: wav });
    expect(r.status).toBe(202);
    const heard = await c.next((m) => m.type === "heard" && m.session === "living-room", 60_000);
    expect(heard.text).toBe("decrease the volume");
    const bad = await fetch(at(open, "/api/wav"), { method: "POST", headers: { "content-type": "audio/wav" }, body: Buffer.from("RIFF nonsense") });
    expect(bad.status).toBe(400);
    c.close();
  }, 90_000);
});
