// The weather entity: asked about (HassGetWeather), never commanded. No HA MQTT platform: state only.
import { WEATHER_CONDITIONS } from "../classes.js";
import { initialOf, pickKnown, reading } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const weather: DomainDefinition = {
  domain: "weather",
  capabilities: [],
  spoken: "weather source",
  intents: {},
  // "partly cloudy and 14 degrees"
  describe: (state) => {
    const condition = typeof state.state === "string" ? (WEATHER_CONDITIONS[state.state] ?? state.state.replace(/[-_]/g, " ")) : undefined;
    const t = reading(state.temperature, state.temperature_unit ?? "°C");
    return [condition, t].filter(Boolean).join(" and ") || undefined;
  },
  sim: {
    initial: (d) => ({ state: "sunny", temperature: 18, temperature_unit: "°C", humidity: 55, wind_speed: 10, wind_speed_unit: "km/h", ...initialOf(d) }),
    actions: {
      // A test or demo hook: the weather changes when someone says so, never by a voice command.
      simulate: (s, p) => {
        if (p.state !== undefined && !(String(p.state) in WEATHER_CONDITIONS)) return `unknown weather condition ${String(p.state)}`;
        return { ...s, ...pickKnown(p, ["state", "temperature", "humidity", "wind_speed"]) };
      },
    },
  },
};
