// The web console in a real browser: Debian's chromium driven by playwright-core against the console of
// a runtime started in process (embedded aedes broker, simulated home and car), as `hark run --console
// 127.0.0.1:0` starts it. Typed text changes a device on the page; push-to-talk with Chromium's fake
// microphone fed a spoken WAV is heard, understood and acted on; a WAV file given to the page's file
// input (what a drop does) is replayed through the same path; spoken answers arrive as audio.
// Skipped only where /usr/bin/chromium is missing (.ci/run installs it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startConsole, type ConsoleServer } from "../src/console/server.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { matcherRuntime } from "./helpers/runtime.js";

const CHROMIUM = "/usr/bin/chromium";
const COMMANDS = resolve("test/fixtures/audio/commands");
/** The fake microphone says this (once: %noloop). */
const MIC_WAV = join(COMMANDS, "0008-switch-the-lamp-on.wav");
const DROP_WAV = join(COMMANDS, "0018-open-roller-blind-half-way.wav");
const have = existsSync(CHROMIUM);
if (!have) console.warn(`console-browser: skipped, no Chromium at ${CHROMIUM} (Debian package chromium; .ci/run installs it)`);

describe.skipIf(!have)("web console in Chromium (playwright-core)", () => {
  let rt: HarkRuntime;
  let web: ConsoleServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    rt = await matcherRuntime({ speech: { enabled: true, play: false } });
    web = await startConsole({ rt, host: "127.0.0.1", port: 0, warm: true });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        `--use-file-for-fake-audio-capture=${MIC_WAV}%noloop`,
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(["microphone"], { origin: web.url.replace(/\/$/, "") });
    page = await context.newPage();
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
    await page.goto(web.url);
    await page.locator("#conn.ok").waitFor({ timeout: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await rt?.stop();
  });

  // Each test a fresh request: no follow-up context from the one before ("… the lamp" after "the kitchen lights").
  beforeEach(async () => {
    await rt.resetSessions();
  });

  const device = (id: string) => page.locator(`[data-device="${id}"]`);

  it("typed text: the page shows the intent, the decision, the MQTT commands and the kitchen light turning on", async () => {
    await expect.poll(() => device("light.kitchen_pendants").getAttribute("data-state")).not.toBe("on");
    await page.fill("#text-input", "turn on the kitchen lights");
    await page.press("#text-input", "Enter");
    const turn = page.locator("#turns .turn").first();
    await turn.locator(".intent", { hasText: "HassTurnOn" }).waitFor({ timeout: 15_000 });
    expect(await turn.locator(".intent").first().textContent()).toMatch(/HassTurnOn.*area=Kitchen.*matcher, confidence 1\.00/);
    expect(await turn.locator(".decision").textContent()).toBe("act");
    await turn.locator(".cmd.ok", { hasText: "light.kitchen_pendants turn_on" }).waitFor();
    await expect.poll(() => device("light.kitchen_pendants").getAttribute("data-state"), { timeout: 10_000 }).toBe("on");
    expect(await device("light.kitchen_pendants").locator(".state").textContent()).toBe("on");
    await turn.locator(".timings").waitFor({ timeout: 10_000 });
    expect(await turn.locator(".timings").textContent()).toMatch(/understanding \d+ ms · acting \d+ ms.* total \d+ ms/);
    // hark's answer, spoken with its voice, arrives as audio in the page.
    await turn.locator("audio.spoken").waitFor({ timeout: 20_000 });
    expect(await turn.locator(".speech").textContent()).toMatch(/kitchen/i);
  }, 60_000);

  it("push-to-talk with the fake microphone: transcript, intent and a living-room light on", async () => {
    const box = (await page.locator("#ptt").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await expect.poll(() => page.locator("#vad").textContent(), { timeout: 10_000 }).toBe("speech");
    await page.waitForTimeout(3500); // the file is 2.1 s
    await page.mouse.up();
    const turn = page.locator("#turns .turn", { hasText: "push-to-talk" }).first();
    await turn.locator(".heard").waitFor({ timeout: 60_000 });
    // Its words, exactly; a hesitation heard in the trailing room tone (seen once in CI, under load:
    // "switch the lamp on um") is a skip word of the grammar and changes nothing that follows.
    expect(await turn.locator(".heard").textContent()).toMatch(/^“switch the lamp on(?: (?:um|uh|er|hmm))?”$/);
    await turn.locator(".intent", { hasText: "HassTurnOn" }).waitFor({ timeout: 15_000 });
    // The light it turned on (the living room's: the speaker's room) is on on the page.
    const cmd = turn.locator(".cmd.ok", { hasText: "turn_on" }).first();
    await cmd.waitFor({ timeout: 10_000 });
    const id = /^(light\.living_room\w+) turn_on/.exec((await cmd.locator("code").textContent()) ?? "")?.[1];
    expect(id, await turn.textContent() ?? "").toBeTruthy();
    await expect.poll(() => device(id!).getAttribute("data-state"), { timeout: 10_000 }).toBe("on");
  }, 120_000);

  it("with a token: the page is refused without it, and works opened with ?token= (its scripts and socket by cookie)", async () => {
    const locked = await startConsole({ rt, host: "127.0.0.1", port: 0, token: "browser-token-1" });
    const p = await browser.newPage();
    try {
      const refused = await p.goto(locked.url);
      expect(refused?.status()).toBe(401);
      expect(await p.textContent("body")).toMatch(/needs its token/);
      await p.goto(`${locked.url}?token=browser-token-1`);
      await p.locator("#conn.ok").waitFor({ timeout: 15_000 });
      await p.locator('[data-device="light.kitchen_pendants"]').waitFor();
    } finally {
      await p.close();
      await locked.close();
    }
  }, 60_000);

  it("a WAV file given to the page (as a drop does) is replayed: its transcript and intent appear", async () => {
    await page.setInputFiles("#wav-file", DROP_WAV);
    const turn = page.locator("#turns .turn", { hasText: "WAV file" }).first();
    await turn.locator(".heard").waitFor({ timeout: 60_000 });
    expect(await turn.locator(".heard").textContent()).toBe("“open roller blind half way”");
    await turn.locator(".intent", { hasText: "HassSetPosition" }).waitFor({ timeout: 15_000 });
    expect(await turn.locator(".intent").textContent()).toMatch(/position=50/);
    await expect.poll(() => device("cover.kitchen_roller_blind").locator(".attrs").textContent(), { timeout: 10_000 }).toMatch(/position 50/);
    await turn.locator(".timings").waitFor({ timeout: 10_000 });
    // docs/console.png is this page (the file is overwritten on every run).
    await page.screenshot({ path: join(tmpdir(), "hark-console.png") });
  }, 120_000);
});
