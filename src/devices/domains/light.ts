// Lights: on/off, brightness (0–100 %), colour by name or RGB. HA's MQTT light in its JSON schema.
import type { DeviceState } from "../../bus/types.js";
import type { Device } from "../types.js";
import { act, clamp, has, initialOf, inRange, num, onOff, onOffIntents, pick, pickKnown, stateWord } from "./shared.js";
import type { DomainDefinition, Params } from "./types.js";

/** Named colors (Home Assistant's color names, a useful subset) → RGB. */
export const COLORS: Record<string, { r: number; g: number; b: number }> = {
  white: { r: 255, g: 255, b: 255 },
  warm_white: { r: 255, g: 214, b: 170 },
  red: { r: 255, g: 0, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  blue: { r: 0, g: 0, b: 255 },
  yellow: { r: 255, g: 255, b: 0 },
  orange: { r: 255, g: 165, b: 0 },
  purple: { r: 128, g: 0, b: 128 },
  pink: { r: 255, g: 192, b: 203 },
  cyan: { r: 0, g: 255, b: 255 },
  magenta: { r: 255, g: 0, b: 255 },
  brown: { r: 165, g: 42, b: 42 },
  gold: { r: 255, g: 215, b: 0 },
};

function lightOn(s: DeviceState, p: Params, d: Device): DeviceState | string {
  const next: DeviceState = { ...s, state: "ON" };
  if (p.brightness !== undefined) {
    if (!has(d, "brightness", "color")) return "this light cannot dim";
    const b = inRange(num(p.brightness), 0, 100, "brightness");
    if (typeof b === "string") return b;
    next.brightness = b;
    if (b === 0) next.state = "OFF";
  }
  const color = p.color ?? p.rgb;
  if (color !== undefined) {
    if (!d.capabilities.includes("color")) return "this light has no color";
    if (typeof color === "string") {
      const key = color.toLowerCase().replace(/\s+/g, "_");
      const rgb = COLORS[key];
      if (!rgb) return `unknown color ${color}`;
      next.color = rgb;
      next.color_name = key;
    } else if (color && typeof color === "object") {
      const c = color as Record<string, unknown>;
      const [r, g, b] = [num(c.r), num(c.g), num(c.b)];
      if (r === undefined || g === undefined || b === undefined) return "color needs r, g and b";
      next.color = { r: clamp(r, 0, 255), g: clamp(g, 0, 255), b: clamp(b, 0, 255) };
      delete next.color_name;
    } else return "invalid color";
    next.color_mode = "rgb";
  }
  return next;
}

const BRIGHTNESS_STEP = 25;

export const light: DomainDefinition = {
  domain: "light",
  capabilities: ["on_off", "brightness", "color"],
  onOffByArea: true,
  intents: {
    ...onOffIntents("turn_on", "turn_off", "toggle"),
    HassLightSet: (s, d) => {
      // A device with declared capabilities that lacks the one asked for is skipped, not commanded.
      if (d.capabilities.length && s.color !== undefined && !d.capabilities.includes("color")) return `cannot change colour`;
      if (d.capabilities.length && s.brightness !== undefined && !d.capabilities.includes("brightness")) return `cannot be dimmed`;
      return act("turn_on", pick(s, "brightness", "color"));
    },
    // A step of a quarter: four steps from dark to full.
    LightAdjustBrightness: (s, d) => {
      if (d.capabilities.length && !has(d, "brightness", "color")) return "cannot be dimmed";
      return act("adjust_brightness", { delta: s.direction === "dimmer" ? -BRIGHTNESS_STEP : BRIGHTNESS_STEP });
    },
  },
  discovery: {
    component: "light",
    config: (d, t) => {
      const modes = has(d, "color") ? ["rgb"] : has(d, "brightness") ? ["brightness"] : ["onoff"];
      return { schema: "json", command_topic: t.command, brightness: has(d, "brightness", "color"), brightness_scale: 100, supported_color_modes: modes };
    },
  },
  sim: {
    initial: (d) => ({
      state: "OFF",
      ...(has(d, "brightness", "color") ? { brightness: 100 } : {}),
      ...(d.capabilities.includes("color") ? { color_mode: "rgb", color: COLORS.white, color_name: "white" } : {}),
      ...initialOf(d),
    }),
    actions: {
      ...onOff("ON", "OFF"),
      turn_on: lightOn,
      set: lightOn,
      set_brightness: (s, p, d) => lightOn(s, { brightness: p.brightness }, d),
      // Dimmer from off starts from nothing; never below 1 % (a dimmed light stays on).
      adjust_brightness: (s, p, d) => {
        const delta = num(p.delta);
        if (delta === undefined) return "delta is missing";
        const from = s.state === "OFF" ? 0 : (num(s.brightness) ?? 100);
        return lightOn(s, { brightness: clamp(from + delta, 1, 100) }, d);
      },
      set_color: (s, p, d) => lightOn(s, { color: p.color ?? p.rgb }, d),
    },
  },
  fromState: (want) => (stateWord(want) === "off" ? [act("turn_off")] : [act("turn_on", pickKnown(want, ["brightness", "color"]))]),
};
