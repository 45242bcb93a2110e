// A Home Assistant entity's state and attributes → what hark's simulators read from a device's
// `initial:` (src/devices/domains/): light/switch/fan "ON"/"OFF", brightness and volume in percent,
// lock "LOCKED"/"UNLOCKED", cover/valve state + position, climate mode + temperatures, a sensor's
// value + unit. Attributes with no simulator counterpart are kept as they are (they become state keys).

type Attrs = Record<string, unknown>;

const ON_OFF_DOMAINS = new Set(["light", "switch", "fan", "input_boolean", "automation", "siren", "humidifier", "remote", "binary_sensor"]);
/** Domains whose simulator keeps HA's own lower-case states ("off", "docked", "home"). */
const LOWER_CASE = new Set(["script", "media_player", "vacuum", "lawn_mower", "weather", "assist_satellite", "timer", "person"]);

/** HA writes numbers as strings in fixtures ("position": "0"): numeric strings become numbers. */
function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function plain(v: unknown): unknown {
  return num(v) ?? v;
}

/** HA attribute → the key the simulator uses for it (and how the value changes). */
const RENAMES: Record<string, Record<string, (v: unknown) => [string, unknown] | undefined>> = {
  light: {
    brightness: (v) => (num(v) === undefined ? undefined : ["brightness", Math.round((num(v)! * 100) / 255)]), // HA 0–255
    rgb_color: (v) => (Array.isArray(v) && v.length === 3 ? ["color", { r: num(v[0]), g: num(v[1]), b: num(v[2]) }] : undefined),
  },
  cover: { current_position: (v) => ["position", plain(v)] },
  valve: { current_position: (v) => ["position", plain(v)] },
  climate: { temperature: (v) => ["target_temperature", plain(v)] },
  media_player: {
    // HA: 0–1; the HA intents fixtures also write percentages ("50")
    volume_level: (v) => (num(v) === undefined ? undefined : ["volume_level", num(v)! <= 1 ? Math.round(num(v)! * 100) : num(v)!]),
  },
  sensor: { unit_of_measurement: (v) => ["unit", v] },
};

/**
 * The simulator's initial state for a device of `domain`, from HA's `state` (undefined when the
 * fixture gives none) and attributes (device_class already taken out).
 */
export function initialState(domain: string, state: string | undefined, attrs: Attrs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const renames = RENAMES[domain] ?? {};
  for (const [k, v] of Object.entries(attrs)) {
    const r = renames[k];
    const mapped = r ? r(v) : ([k, plain(v)] as [string, unknown]);
    if (mapped) out[mapped[0]] = mapped[1];
  }
  if (state === undefined || state === "" || state === "unknown" || state === "unavailable") return out;
  const s = state.toLowerCase();
  if (ON_OFF_DOMAINS.has(domain) && (s === "on" || s === "off")) out.state = s.toUpperCase();
  else if (domain === "lock") out.state = s.toUpperCase(); // LOCKED, UNLOCKED, JAMMED, OPEN …
  else if (domain === "cover" || domain === "valve") {
    out.state = s;
    if (out.position === undefined && (s === "open" || s === "closed")) out.position = s === "open" ? 100 : 0;
  } else if (domain === "climate") out.mode = s; // HA's state is the HVAC mode
  else if (domain === "sensor") out.value = plain(state);
  else if (domain === "scene") out.last_activated = state; // HA: when it was last activated
  else if (domain === "todo") {
    // HA: the number of open items; the fixtures do not say which, so the list starts empty.
  } else if (!LOWER_CASE.has(domain) && (s === "on" || s === "off")) out.state = s.toUpperCase(); // hark's generic on/off model
  else out.state = state;
  return out;
}
