#!/usr/bin/env node
// Latency through Wyoming: `hark wyoming` in its own process on one core (taskset -c 0 where taskset
// exists), a client here sending every WAV of a folder (default test/fixtures/audio/commands) as
// transcribe + audio chunks. As from a live microphone, the audio is in before audio-stop (a ping's
// pong says the server has read every chunk), so what is timed is audio-stop → transcript.
// Prints one JSON line per file and a summary. Run by hand after `npm run build`:
//   node scripts/wyoming-latency.mjs [DIR] [--pad SECONDS]
// --pad: silence added after each recording (Home Assistant ends a stream once its VAD has heard
// ≈ 0.7 s of silence; the fixtures end 0.4–0.5 s after the speech).
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const padAt = argv.indexOf("--pad");
const pad = padAt >= 0 ? Number(argv.splice(padAt, 2)[1]) : 0;
const dir = argv[0] ?? join(root, "test/fixtures/audio/commands");
const pin = spawnSync("taskset", ["--version"]).status === 0;
const args = [join(root, "bin/hark.js"), "wyoming", "--uri", "tcp://127.0.0.1:0", "--no-wake", "--log-level", "info"];
const server = pin ? spawn("taskset", ["-c", "0", process.execPath, ...args], { env: { ...process.env, HARK_SLM: "0" } }) : spawn(process.execPath, args, { env: { ...process.env, HARK_SLM: "0" } });

let log = "";
const port = await new Promise((resolve, reject) => {
  let p;
  server.stderr.on("data", (d) => {
    log += d.toString();
    p ??= /Wyoming service on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
    // Measured warm, as a service that has been running: the recognizer is loaded and warmed at start.
    if (p && /wyoming services warmed up/.test(log)) resolve(Number(p));
  });
  server.once("exit", (code) => reject(new Error(`hark wyoming exited ${code}: ${log}`)));
});

const socket = await new Promise((resolve) => {
  const s = connect(port, "127.0.0.1", () => resolve(s));
});
let buf = Buffer.alloc(0);
const queue = [];
let wake;
socket.on("data", (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const nl = buf.indexOf(10);
    if (nl < 0) break;
    const h = JSON.parse(buf.subarray(0, nl).toString());
    const dl = h.data_length ?? 0;
    const pl = h.payload_length ?? 0;
    if (buf.length < nl + 1 + dl + pl) break;
    const data = { ...(h.data ?? {}), ...(dl ? JSON.parse(buf.subarray(nl + 1, nl + 1 + dl).toString()) : {}) };
    buf = buf.subarray(nl + 1 + dl + pl);
    queue.push({ type: h.type, data });
    wake?.();
  }
});
const next = async () => {
  while (!queue.length) await new Promise((r) => (wake = r));
  return queue.shift();
};
const send = (type, data = {}, payload) => {
  const d = Object.keys(data).length ? Buffer.from(JSON.stringify(data)) : undefined;
  const header = { type, ...(d ? { data_length: d.length } : {}), ...(payload ? { payload_length: payload.length } : {}) };
  socket.write(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...(d ? [d] : []), ...(payload ? [payload] : [])]));
};

function pcmOf(path) {
  const b = readFileSync(path);
  const format = { rate: b.readUInt32LE(24), width: b.readUInt16LE(34) / 8, channels: b.readUInt16LE(22) };
  let at = 12;
  while (at + 8 <= b.length) {
    const size = b.readUInt32LE(at + 4);
    if (b.toString("ascii", at, at + 4) === "data") return { pcm: b.subarray(at + 8, at + 8 + size), format };
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

const ms = [];
let right = 0;
let seconds = 0;
const files = readdirSync(dir).filter((f) => f.endsWith(".wav")).sort();
for (const f of files) {
  const read = pcmOf(join(dir, f));
  const { format } = read;
  const frame = format.width * format.channels;
  const pcm = pad > 0 ? Buffer.concat([read.pcm, Buffer.alloc(Math.round(pad * format.rate) * frame)]) : read.pcm;
  const label = join(dir, f.replace(/\.wav$/, ".json"));
  const want = existsSync(label) ? JSON.parse(readFileSync(label, "utf8")).text?.toLowerCase() : undefined;
  send("transcribe", { language: "en" });
  send("audio-start", format);
  const step = 1024 * format.width * format.channels;
  for (let i = 0; i < pcm.length; i += step) send("audio-chunk", format, pcm.subarray(i, i + step));
  send("ping");
  while ((await next()).type !== "pong");
  const t0 = performance.now();
  send("audio-stop");
  const e = await next();
  const t = performance.now() - t0;
  ms.push(t);
  const sec = pcm.length / format.width / format.channels / format.rate;
  seconds += sec;
  if (want !== undefined && e.data.text === want) right++;
  console.log(JSON.stringify({ file: f, seconds: Math.round(sec * 100) / 100, text: e.data.text, ...(want !== undefined ? { want } : {}), ms: Math.round(t) }));
}
socket.destroy();
server.kill("SIGINT");
const sorted = [...ms].sort((a, b) => a - b);
const q = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
console.log(JSON.stringify({ files: files.length, oneCore: pin, pad, audioSeconds: Math.round(seconds * 10) / 10, right, p50: q(0.5), p90: q(0.9), max: Math.round(sorted[sorted.length - 1]) }));
