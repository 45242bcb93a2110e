#!/usr/bin/env python3
"""Convert phrasings written by other people into training-only hark grammar files.

Usage:  /usr/bin/python3 models/train/import_corpora.py ../shared/corpora

Reads
  <corpora>/home-llm-piles/english/   acon96/home-llm, data/piles/english (MIT)
      pile_of_templated_actions.csv   device_type, service, phrase with <device_name>, <brightness> ...
      pile_of_status_requests.csv     state questions about one device
      pile_of_specific_actions.csv    concrete phrasings ("turn off the porch light")
  <corpora>/agl-car/dataset/dataset.json   malik727/snips-model-agl (Apache-2.0), a Snips NLU dataset
and writes, next to this script,
  corpora/home-llm.yaml, corpora/agl-car.yaml   hassil-format grammar files (training only)

Each corpus phrase is mapped onto the hark intent and slots that hark's own grammar (grammars/en) gives the
same command; a phrase hark has no intent or slot value for is dropped and counted, never mapped onto a
near miss. The wording is kept as the corpus has it: lower-cased, punctuation removed (apostrophes kept,
"%" read as "percent" like hark's normalizer), placeholders turned into the grammar's lists. Identical
templates are written once. A summary (phrases read, mapped, dropped by reason) is printed at the end.

Standard library only, plus PyYAML when it is there (the YAML is written by hand otherwise).
"""
from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "corpora")

# ----------------------------------------------------------------------------------------------- text


def normalize(text: str) -> str:
    """hark-style normalization of corpus text; placeholders <x> survive as ph_x tokens."""
    t = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    t = re.sub(r"<(\w+)>", lambda m: f" ph_{m.group(1).lower()}", t)  # glued to a following "'s"
    t = t.lower().replace("%", " percent ")
    t = re.sub(r"[^a-z0-9'_\s]+", " ", t)  # punctuation (and the characters hassil reserves) out
    t = re.sub(r"(^|\s)'+|'+(?=\s|$)", " ", t)  # quotes, not apostrophes ("paulus' lamp" -> "paulus lamp")
    return re.sub(r"\s+", " ", t).strip()


HASSIL_SPECIAL = set("()[]{}<>|;")


def check_template(t: str) -> None:
    """Everything outside our own {list}/<rule> references must be plain words."""
    bare = re.sub(r"\{[a-z_]+(:[a-z_]+)?\}|<[a-z_]+>", "", t)
    bad = [c for c in bare if c in HASSIL_SPECIAL]
    if bad:
        raise ValueError(f"reserved character {bad[0]!r} left in template {t!r}")


# --------------------------------------------------------------------------------------------- output


class Collector:
    """Templates grouped by (intent, slots, requires_context, excludes_context), deduplicated."""

    def __init__(self, name: str):
        self.name = name
        self.read = 0
        self.dropped: Counter[str] = Counter()
        self.duplicates = 0
        self.groups: "OrderedDict[tuple, list[str]]" = OrderedDict()
        self.label_of: dict[str, list[tuple]] = {}
        self.sources: Counter[tuple] = Counter()  # (intent, corpus service) -> phrases mapped
        self.conflicts: set[str] = set()
        self.file = ""  # the corpus file being read
        self.per_file: "OrderedDict[str, Counter]" = OrderedDict()

    def count(self, what: str) -> None:
        self.per_file.setdefault(self.file, Counter())[what] += 1

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1
        self.count("dropped")

    def add(self, template: str, intent: str, slots=None, requires=None, excludes=None, source: str = "") -> None:
        template = re.sub(r"\s+", " ", template).strip()
        check_template(template)
        self.count("mapped")
        key = (intent, _frozen(slots), _frozen(requires), _frozen(excludes))
        self.sources[(source, intent, _fmt(slots), _fmt(requires))] += 1
        seen = self.label_of.setdefault(template, [])
        if key in seen:
            self.duplicates += 1
            return
        if any(k[:2] != key[:2] and _overlap(k[2], key[2]) for k in seen):
            self.conflicts.add(template)  # the same words under two labels: written under neither
        # The same words for another kind of device (another requires_context) are no conflict.
        seen.append(key)
        self.groups.setdefault(key, []).append(template)

    def finish(self) -> None:
        for t in self.conflicts:
            for key in self.label_of[t]:
                self.groups[key].remove(t)
                self.dropped["same wording under two different labels"] += 1
        for key in [k for k, v in self.groups.items() if not v]:
            del self.groups[key]

    @property
    def templates(self) -> int:
        return sum(len(v) for v in self.groups.values())


def _overlap(a, b) -> bool:
    """Can one device meet both requires_context constraints? ("open" is open for a cover, unlocked for a lock.)"""
    da, db = dict(a or ()), dict(b or ())
    for field in ("domain", "device_class"):
        va, vb = da.get(field), db.get(field)
        if va is None or vb is None:
            continue
        sa = set(va) if isinstance(va, tuple) else {va}
        sb = set(vb) if isinstance(vb, tuple) else {vb}
        if not sa & sb:
            return False
    return True


def _frozen(d):
    if not d:
        return None
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items()))


def _fmt(d) -> str:
    if not d:
        return ""
    return ", ".join(f"{k}: {'|'.join(v) if isinstance(v, (list, tuple)) else v}" for k, v in sorted(d.items()))


def _thaw(frozen):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in frozen} if frozen else None


def to_yaml_doc(col: Collector, header: str) -> str:
    intents: "OrderedDict[str, list]" = OrderedDict()
    for (intent, slots, req, exc), sentences in col.groups.items():
        block: "OrderedDict[str, object]" = OrderedDict()
        block["sentences"] = sentences
        if slots:
            block["slots"] = _thaw(slots)
        if req:
            block["requires_context"] = _thaw(req)
        if exc:
            block["excludes_context"] = _thaw(exc)
        intents.setdefault(intent, []).append(block)
    lines = [header.rstrip(), "language: en", "", "intents:"]
    for intent in sorted(intents):
        lines.append(f"  {intent}:")
        lines.append("    data:")
        for block in intents[intent]:
            lines.append("      - sentences:")
            for s in block["sentences"]:
                lines.append(f"          - {_q(s)}")
            for field in ("slots", "requires_context", "excludes_context"):
                if field in block:
                    lines.append(f"        {field}: {_flow(block[field])}")
    return "\n".join(lines) + "\n"


def _q(v) -> str:
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    if isinstance(v, (int, float)):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(d: dict) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, list):
            parts.append(f"{k}: [{', '.join(_q(x) for x in v)}]")
        else:
            parts.append(f"{k}: {_q(v)}")
    return "{ " + ", ".join(parts) + " }"


# ====================================================================================== home-llm piles

# hark's own list names (grammars/en): what a corpus placeholder becomes.
CABIN_TEMPERATURE = "{cabin_temperature:temperature}"

# Services hark has no intent for (dropped with this reason).
NO_INTENT = {
    "toggle": "toggle (hark has no toggle intent)",
    "stop_cover": "stop a cover (hark has no stop-cover intent)",
    "increase_speed": "fan speed up/down (hark has no home fan-speed intent)",
    "decrease_speed": "fan speed up/down (hark has no home fan-speed intent)",
    "volume_up": "relative volume on a home player (hark's relative volume is the car's, no player slot)",
    "volume_down": "relative volume on a home player (hark's relative volume is the car's, no player slot)",
    "volume_mute": "mute (hark has no mute intent)",
    "set_humidity": "humidity (hark has no humidity intent)",
    "set_fan_mode": "climate fan mode (hark has no fan-mode slot)",
    "set_hvac_mode": "HVAC mode (hark has no HVAC-mode slot)",
    "vacuum.stop": "stop a vacuum (hark has no vacuum-stop intent)",
    "vacuum.pause": "pause a vacuum (hark has no vacuum-pause intent)",
}

# (device_type, service) -> (intent, requires_context, excludes_context); the same labels hark's grammar
# gives "close the <cover>", "lock the <lock>", "pause the <player>" ... (grammars/en/home*.yaml).
COVER = {"domain": "cover"}
GARAGE = {"domain": "cover", "device_class": "garage"}
NOT_GARAGE = {"device_class": "garage"}
TARGETS = {
    ("blinds", "open_cover"): ("HassTurnOn", COVER, NOT_GARAGE),
    ("blinds", "close_cover"): ("HassTurnOff", COVER, None),
    ("garage_door", "open_cover"): ("HassTurnOn", GARAGE, None),
    ("garage_door", "close_cover"): ("HassTurnOff", GARAGE, None),
    ("fan", "turn_on"): ("HassTurnOn", {"domain": "fan"}, None),
    ("fan", "turn_off"): ("HassTurnOff", {"domain": "fan"}, None),
    ("light", "turn_on"): ("HassTurnOn", {"domain": "light"}, None),
    ("light", "turn_off"): ("HassTurnOff", {"domain": "light"}, None),
    ("switch", "turn_on"): ("HassTurnOn", {"domain": "switch"}, None),
    ("switch", "turn_off"): ("HassTurnOff", {"domain": "switch"}, None),
    ("lock", "lock"): ("HassTurnOn", {"domain": "lock"}, None),
    ("lock", "unlock"): ("HassTurnOff", {"domain": "lock"}, None),
    ("media_player", "turn_on"): ("HassTurnOn", {"domain": "media_player"}, None),
    ("media_player", "turn_off"): ("HassTurnOff", {"domain": "media_player"}, None),
    ("media_player", "media_play"): ("HassMediaUnpause", {"domain": "media_player"}, None),
    ("media_player", "media_pause"): ("HassMediaPause", {"domain": "media_player"}, None),
    # hark's grammar: "(pause|stop) [the] {name}" is HassMediaPause
    ("media_player", "media_stop"): ("HassMediaPause", {"domain": "media_player"}, None),
    ("media_player", "media_next_track"): ("HassMediaNext", {"domain": "media_player"}, None),
    ("media_player", "media_previous_track"): ("HassMediaPrevious", {"domain": "media_player"}, None),
    ("vacuum", "start"): ("HassVacuumStart", {"domain": "vacuum"}, None),
    ("vacuum", "return_to_base"): ("HassVacuumReturnToBase", {"domain": "vacuum"}, None),
    # hark's to-do lists; the shopping list has its own intent (HassShoppingListAddItem), as in the grammar
    ("todo", "add_item"): ("HassListAddItem", {"domain": "todo"}, {"name": "Shopping List"}),
    ("timer", "start"): ("HassStartTimer", None, None),
    ("timer", "cancel"): ("HassCancelTimer", None, None),
}


# home-llm's media_play is Home Assistant's resume (HassMediaUnpause); hark's grammar reads "play ..." as a
# search for what follows ("play the media on the tv" -> search "the media"), so those phrasings are left out.
PLAY_IS_SEARCH = re.compile(r"\bplay(ing)?\b")
PLAY_REASON = "resume said as 'play ...' (hark's grammar reads it as a search, HassMediaSearchAndPlay)"


def no_intent_reason(device_type: str, service: str) -> str | None:
    return NO_INTENT.get(f"{device_type}.{service}") or NO_INTENT.get(service)


def timer_refs(t: str) -> str:
    """Timers: hark's timer name is free text said before "timer" ("the pasta timer"); the corpus's timer
    devices are named "Kitchen oven timer", "Tea steeping countdown" ..., so <device_name> is said as
    "<name> timer" (one "timer" when the phrase already has it). A duration before a name is adjectival."""
    t = re.sub(r"ph_duration (?=ph_device_name)", "<tm_duration_adj> ", t)
    t = t.replace("ph_duration", "<tm_duration>")
    t = re.sub(r"ph_device_name( timer)?", "{timer_name:name} timer", t)
    return t


def read_rows(path: str, col: Collector):
    """The rows of one corpus CSV, each counted as read."""
    col.file = os.path.basename(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        col.read += 1
        col.count("read")
        yield r


def convert_templated(path: str, col: Collector) -> None:
    for r in read_rows(path, col):
        dtype, service, raw = r["device_type"].strip(), r["service"].strip(), r["phrase"]
        if "|" in dtype:
            col.drop("several actions in one phrase (a grammar template has one intent)")
            continue
        reason = no_intent_reason(dtype, service)
        if reason:
            col.drop(reason)
            continue
        t = normalize(raw)
        src = f"{dtype}.{service}"
        if service == "media_play" and PLAY_IS_SEARCH.search(t):
            col.drop(PLAY_REASON)
            continue
        if dtype == "climate" and service == "set_temperature":
            if "ph_temp_f" in t:
                col.drop("Fahrenheit temperature (hark's temperatures are Celsius, no unit slot)")
                continue
            # No device in the phrase: hark reads bare "set the temperature to 21" as CabinSetTemperature
            # (cabin.yaml owns bare climate phrases; at home the dialog applies it to the thermostat).
            col.add(t.replace("ph_temp_c", CABIN_TEMPERATURE), "CabinSetTemperature", source=src)
            continue
        target = TARGETS.get((dtype, service))
        if target is None:
            col.drop(f"no hark intent for {dtype}.{service}")
            continue
        intent, req, exc = target
        slots = None
        if dtype == "timer":
            t = timer_refs(t)
        else:
            t = t.replace("ph_device_name", "{name}")
            t = t.replace("ph_todo", "{item}")
            if "ph_brightness" in t or "ph_color" in t:
                intent = "HassLightSet"  # home-llm sends brightness and colour as light.turn_on attributes
                t = t.replace("ph_brightness", "{brightness}").replace("ph_color", "{color}")
        if "ph_" in t:
            ph = re.search(r"ph_(\w+)", t).group(1)
            col.drop(f"placeholder hark has no slot for ({ph})")
            continue
        col.add(t, intent, slots, req, exc, source=src)


# ---- state questions --------------------------------------------------------------------------------

# Words the corpus uses for a state, per hark state value (hark's lists: onoff, cover_state, lock_state).
# Checked against the corpus's own labels: a plain question's row carries the state it asks about, a row
# answered "No ..." the opposite one (see check_state_words).
STATE_WORDS = {
    "light": {"on": ["on", "lit", "shining", "active", "powered", "working"],
              "off": ["off", "dark", "deactivated", "turned off"]},
    "fan": {"on": ["on", "working", "spinning", "blowing air", "whirling away", "running", "active"],
            "off": ["off", "idle", "still", "taking a break"]},
    "cover": {"open": ["open", "unsealed", "pulled up", "up"], "closed": ["closed", "shut", "pulled down"],
              "opening": ["opening"], "closing": ["closing"]},
    "lock": {"locked": ["locked", "secure", "sealed", "bolted", "all locked up"],
             "unlocked": ["unlocked", "unsecured", "unsecure", "open", "free and clear"]},
    "media_player": {"on": ["on", "active"], "off": ["off", "turned off"]},
    "vacuum": {"on": ["on", "running", "cleaning"]},
}
STATE_KIND = {"light": "light", "fan": "fan", "blinds": "cover", "garage_door": "cover", "lock": "lock",
              "media_player": "media_player", "vacuum": "vacuum"}
STATE_CONTEXT = {"light": {"domain": "light"}, "fan": {"domain": "fan"}, "blinds": COVER, "garage_door": GARAGE,
                 "lock": {"domain": "lock"}, "media_player": {"domain": "media_player"}, "vacuum": {"domain": "vacuum"}}
OPPOSITE = {"on": "off", "off": "on", "open": "closed", "closed": "open", "opening": "closing", "closing": "opening",
            "locked": "unlocked", "unlocked": "locked", "locking": "unlocking", "unlocking": "locking"}
# Questions about something other than the on/off/open/locked state: volume, brightness, colour, media.
ATTRIBUTE = re.compile(r"\b(volume|brightness|bright|dim|colou?r|hue|played|playing on|paused on|what's on|"
                       r"movie|show|episode|song|track|what is it)\b")
# Said around the state word without changing it.
FILLER_BEFORE = re.compile(r"^(?:(?:is|are) it |is |are |actually |still |currently )+")
FILLER_AFTER = re.compile(r"(?: (?:right now|or what|or something|now|at the moment|currently))+$")
GENERAL_SUFFIX = {"", "doing", "doing right now", "doing now", "status", "status now", "update", "state",
                  "current state", "okay", "condition", "would you", "now", "looking", "right now"}


def state_of(kind: str, word: str) -> str | None:
    for state, words in STATE_WORDS.get(kind, {}).items():
        if word in words:
            return state
    return None


def classify_status(dtype: str, t: str) -> tuple[str, str | None] | tuple[None, str]:
    """("ok", state or None) for a question hark can label, (None, reason) otherwise."""
    kind = STATE_KIND[dtype]
    if ATTRIBUTE.search(t):
        return None, "asks about volume, brightness, colour or media (no hark slot for it)"
    if "ph_device_name" not in t:
        return None, "no device in the question"
    before, after = t.split("ph_device_name", 1)
    after = after.strip()
    if dtype == "vacuum" and after.startswith("vacuum"):
        after = after[len("vacuum"):].strip()
    after = FILLER_AFTER.sub("", FILLER_BEFORE.sub("", after)).strip()
    if kind == "cover" and re.search(r"\bdid we lower the $", before):
        return ("ok", "closed") if after == "" else (None, "unclear question")
    if re.search(r"\bdid we leave the $", before):
        s = state_of(kind, after)
        return ("ok", s) if s else (None, "state hark cannot express")
    if after in GENERAL_SUFFIX:
        if re.search(r"\b(where|how many)\b", before):
            return None, "asks where/how many (no hark intent)"
        if before.strip().startswith(("is ", "are ")) and after in ("", "now", "right now"):
            return None, "unclear question"
        return "ok", None
    alt = re.fullmatch(r"(.+?) or (.+)", after)
    if alt and state_of(kind, alt.group(1)) and state_of(kind, alt.group(2)):
        return "ok", None  # "is it on or off": asks for the state, names none
    s = state_of(kind, after)
    if s:
        return "ok", s
    return None, "state hark cannot express (playing, paused, idle, standby, jammed, locking, unlocking, docked)"


def check_state_words(rows) -> list[str]:
    """The corpus labels each question with the device's state; its answer starts with "No" when that is not
    the state asked about. Report where our word table disagrees (printed as a warning)."""
    out = []
    for r in rows:
        dtype = r["device_type"].strip()
        if dtype not in STATE_KIND:
            continue
        ok, state = classify_status(dtype, normalize(r["phrase"]))
        if ok != "ok" or state is None:
            continue
        corpus = r["state"].split(";")[0].strip()
        negative = r["assistant_response"].strip().lower().startswith(("no", "actually", "sorry"))
        expected = OPPOSITE.get(corpus, corpus) if negative else corpus
        if expected != state and expected in STATE_WORDS[STATE_KIND[dtype]]:
            out.append(f"{dtype}: {r['phrase']!r} read as {state}, the corpus row implies {expected}")
    return out


def convert_status(path: str, col: Collector) -> list[str]:
    rows = list(read_rows(path, col))
    for r in rows:
        dtype, raw = r["device_type"].strip(), r["phrase"]
        t = normalize(raw)
        src = f"status.{dtype}"
        if dtype == "todo":
            col.drop("asks how many items are on a list (no hark intent)")
            continue
        if dtype == "timer":
            col.add(timer_refs(t), "HassTimerStatus", source=src)
            continue
        if dtype not in STATE_KIND:
            col.drop(f"no hark intent for status of {dtype}")
            continue
        ok, val = classify_status(dtype, t)
        if ok != "ok":
            col.drop(val)
            continue
        slots = {"state": val} if val else None
        col.add(t.replace("ph_device_name", "{name}"), "HassGetState", slots, STATE_CONTEXT[dtype], source=src)
    return check_state_words(rows)


# ---- concrete phrasings -------------------------------------------------------------------------------

# Rooms and places read as an area ({area}): hark's demo home and random training homes
# (src/models/train/data.ts AREA_NAMES) plus the common rooms of the corpus. A device word after one of these
# ("the hallway light") is hark's area reading (area + domain), exactly as the grammar labels it; a
# qualifier that is not a room ("the pool table light") makes a named device ({name}).
AREAS = sorted({
    "kitchen", "living room", "lounge", "family room", "hallway", "hall", "entryway", "office", "study", "garage",
    "garden", "backyard", "yard", "bedroom", "master bedroom", "main bedroom", "bathroom", "kids room",
    "kids bedroom", "nursery", "laundry room", "laundry", "utility room", "basement", "cellar",
    "sunroom", "attic", "den", "pantry", "studio", "guest room", "playroom", "gym", "library", "porch", "patio",
    "loft", "workshop", "mudroom", "mud room", "dining room", "media room", "balcony", "sauna", "shed",
    "greenhouse", "conservatory", "terrace", "foyer", "closet", "spare room", "music room", "game room",
    "craft room", "wine cellar", "pool house", "back room", "front room", "tv room", "guest bath", "powder room",
    "boiler room", "dining area", "guest bathroom", "home office", "home gym", "study room", "storage room",
    "art studio", "cinema room", "man cave", "hobby room", "deck", "front yard", "entrance hall", "tool shed",
    "potting shed", "summer house", "boathouse", "boat house", "yoga room", "kitchenette", "corridor",
}, key=lambda a: -len(a))
AREA_RE = "(?:" + "|".join(re.escape(a) for a in AREAS) + ")"

NOUNS = {
    "light": r"(?:light|lights|lamp|lamps|lighting)",
    "fan": r"(?:fan|fans)",
    "blind": r"(?:blind|blinds)",
    "door": r"(?:door|doors)",
    "garage": r"(?:garage door|garage)",
    "vacuum": r"(?:vacuum|cleanup)",
    "media": r"(?:media player|media system|media|music|audio system|audio|radio|tv|speakers|speaker|stereo|"
             r"sound system|cd player|jukebox|intercom|echo|storyteller|entertainment center)",
}

# Wording that contradicts an on/off label (the corpus has "Toggle the stairwell light" as turn_off, "Could you
# dim the hallway lights?" as turn_on).
CONTRADICTS_ONOFF = re.compile(r"\b(toggle|dim|brighten|turn down|turn up)\b")


# Words a room may follow when it is the whole place ("turn off the kitchen light", "turn off kitchen light"),
# unlike a qualifier ("the main basement light": a named device).
BEFORE_AREA = r"(?:^|\b(?:the|my|our|off|on|up|down|activate|deactivate|enable|disable|illuminate|extinguish|start|stop|pause|lower|raise|lift|open|close|shut|lock|unlock|secure) )"


def area_forms(t: str, noun: str, bare: list[str] | None = None) -> str | None:
    """The phrase with its room replaced by {area} when the room is said with the device kind:
    "the kitchen light", "the light(s) in/at/on the kitchen", "kitchen light on"; bare patterns (e.g.
    "illuminate the kitchen") are regexes with one AREA group."""
    pats = [
        rf"{BEFORE_AREA}({AREA_RE}) (?:area )?{noun}\b",
        rf"\b(?:the|all the) {noun} (?:in|at|on|for) the ({AREA_RE})\b(?!')",
    ]
    for p in pats + (bare or []):
        m = re.search(p, t)
        if m:
            out = t[: m.start(1)] + "{area}" + t[m.end(1):]
            if re.search(r"\b" + AREA_RE + r"\b", out.replace("{area}", "")):
                return None  # two rooms: not one reading
            return out
    return None


def named_form(t: str, device_id: str, noun: str | None) -> str | None:
    """The device said by its own name ("the pool table light", "janet's lamp", "bb8") -> {name}. The name
    is anchored on the corpus's entity id; a name that starts with a room is left out (hark's homes never
    name a device "<room> ..."; the room would be read as an area)."""
    words = [re.sub(r"(?<=[a-z]{4})\d+$", "", w) for w in device_id.lower().split("_") if not w.isdigit()]
    generic = set(re.findall(r"[a-z]+", noun or "")) | {"light", "lamp", "lights"}
    anchors = [w for w in words if w and w not in generic]
    if not anchors:
        return None
    toks = t.split(" ")
    bare = [w.replace("'", "") for w in toks]
    for i, w in enumerate(bare):
        if w not in anchors:
            continue
        if noun is None:
            n = len(words)
            if bare[i:i + n] != words:
                return None
            j = i + n
        else:
            rest = " ".join(toks[i:])
            m = re.match(rf"((?:[a-z0-9']+ ){{0,4}}?){noun}\b", rest)
            if not m:
                return None
            j = i + len(m.group(0).split(" "))
        span = " ".join(toks[i:j])
        if re.match(AREA_RE + r"\b", span):
            return None
        return " ".join(toks[:i] + ["{name}"] + toks[j:])
    return None


def convert_specific(path: str, col: Collector) -> None:
    for r in read_rows(path, col):
        dtype, _, service = r["service_name"].strip().partition(".")
        device_id, t = r["device_name"].strip(), normalize(r["phrase"])
        src = f"{dtype}.{service} (concrete)"
        reason = no_intent_reason(dtype, service)
        if reason:
            col.drop(reason)
            continue
        if service in ("turn_on", "turn_off") and CONTRADICTS_ONOFF.search(t):
            col.drop("wording contradicts the corpus label (toggle/dim/brighten for on/off)")
            continue
        if service == "media_play" and PLAY_IS_SEARCH.search(t):
            col.drop(PLAY_REASON)
            continue
        on = service in ("turn_on", "open_cover", "lock", "start")
        form, intent, slots, req, exc = None, None, None, None, None
        if dtype in ("light", "switch", "fan"):
            onoff = "HassTurnOn" if service == "turn_on" else "HassTurnOff"
            if re.search(rf"\b{NOUNS['blind']}\b", t):
                form = area_forms(t, NOUNS["blind"])
                intent, slots = onoff, {"domain": "cover", "device_class": "blind"}
            elif re.search(rf"\b{NOUNS['fan']}\b", t):
                intent, slots = onoff, {"domain": "fan"}
                form = area_forms(t, NOUNS["fan"])
                if form is None and dtype == "fan":
                    form, slots, req = named_form(t, device_id, NOUNS["fan"]), None, {"domain": "fan"}
            else:
                intent, slots = onoff, {"domain": "light"}
                bare = [rf"^(?:could you |can you )?(?:illuminate|light up) the ({AREA_RE})(?: please)?$"] if on else []
                form = area_forms(t, NOUNS["light"], bare)
                if form is None and dtype == "light":
                    form, slots, req = named_form(t, device_id, NOUNS["light"]), None, {"domain": "light"}
        elif dtype == "blinds":
            intent = "HassTurnOn" if on else "HassTurnOff"
            slots = {"domain": "cover", "device_class": "blind"}
            form = area_forms(t, NOUNS["blind"])
        elif dtype == "garage_door":
            intent, req = ("HassTurnOn" if on else "HassTurnOff"), GARAGE
            form = named_form(t, device_id, NOUNS["garage"])
        elif dtype == "lock":
            intent = "HassTurnOn" if on else "HassTurnOff"
            slots = {"domain": "lock"}
            bare = [rf"(?:\bthe |^|\bour )({AREA_RE})(?= (?:is|should|needs|be|locked|unlocked|please)\b|$)"]
            form = area_forms(t, NOUNS["door"], bare)
            if form is None:
                form, slots, req = named_form(t, device_id, r"(?:door|doors|gate|entrance|escape)"), None, {"domain": "lock"}
        elif dtype == "vacuum":
            intent = "HassVacuumStart"
            bare = [rf"\bclean (?:up )?the ({AREA_RE})\b", rf"^(?:the )?({AREA_RE}) (?:needs|should) (?:to )?be cleaned$"]
            form = area_forms(t, NOUNS["vacuum"], bare)
            if form is None:
                # only a vacuum with a name of its own ("turn on bb8", "can you tell r2d2 to clean up"), not
                # one named after a place that is no room here ("the marina vacuum", "roof deck is dirty")
                form, req = named_form(t, device_id, None), {"domain": "vacuum"}
                if form and not re.search(r"\b(start|turn on|activate|tell|run|launch)\b[a-z ]*\{name\}(?! vacuum)", form):
                    form = None
        elif dtype == "media_player":
            intent, req, exc = TARGETS[(dtype, service)]
            if service in ("turn_on", "turn_off"):
                # hark has no "<room> <player kind> on/off" reading: only a player named (and placed)
                form = named_form(t, device_id, NOUNS["media"])
                if form and "{area}" not in form:
                    m = re.search(rf"(?<= in the )({AREA_RE})$", form)
                    if m:
                        form = form[: m.start(1)] + "{area}" + form[m.end(1):]
            else:
                form = area_forms(t, NOUNS["media"], [rf"\b(?:in|for) the ({AREA_RE})$"])
                if form is not None:
                    req = exc = None
                else:
                    form = named_form(t, device_id, NOUNS["media"])
        if form is None or intent is None:
            col.drop("concrete device name hark has no slot form for (skipped)")
            continue
        if re.search(r"\b\d|\bone\b|\btwo\b|\bsecond\b", form.replace("{area}", "").replace("{name}", "")):
            col.drop("concrete device name hark has no slot form for (skipped)")
            continue
        col.add(form, intent, slots, req, exc, source=src)


# ============================================================================================ AGL car

# Snips entity values by group (dataset/entities.yaml: the first value of a synonym group is its canonical).
ACTION_GROUP = {}
for _g, _words in {
    "up": ["increase", "up", "boost", "boosting", "raise", "heat", "warm", "warmer", "louder"],
    "down": ["decrease", "down", "reduce", "back", "lower", "cool", "colder", "quieter"],
    "set": ["set", "adjust", "change"],
}.items():
    for _w in _words:
        ACTION_GROUP[_w] = _g
# Where an entity value is said, which words fit there (the dataset fills its templates round-robin, which
# yields "lets warmer the temperature" or "i want the volume reduce": those are dropped, not repaired).
VERBS = {"increase", "boost", "raise", "heat", "warm", "decrease", "reduce", "lower", "cool", "set", "adjust",
         "change", "up", "down"}
PARTICLES = {"up", "down", "back"}
ADJECTIVES = {"warmer", "colder", "louder", "quieter"}
PARTICLE_AFTER = {"crank", "ramp", "bump", "jack", "hike", "amp", "dial", "step", "scale", "slow", "it", "volume"}
NOUN_AFTER = {"the", "cars"}


def slot_position(prev: list[str]) -> str:
    p = prev[-1] if prev else ""
    if p in ("bit", "little", "tad") or prev[-2:] == ["make", "it"]:
        return "adjective"
    if p in PARTICLE_AFTER:
        return "particle"
    if p in NOUN_AFTER:
        return "noun"
    return "verb"


def fits(value: str, position: str) -> bool:
    return value in {"verb": VERBS, "particle": PARTICLES, "adjective": ADJECTIVES}.get(position, set())


AGL_INTENT = {"HVACTemperature": "temperature", "HVACFanSpeed": "fan", "VolumeControl": "volume"}


def convert_agl(path: str, col: Collector) -> None:
    col.file = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for snips_intent, body in data["intents"].items():
        kind = AGL_INTENT.get(snips_intent)
        for utt in body["utterances"]:
            col.read += 1
            col.count("read")
            if kind is None:
                col.drop(f"no hark intent for {snips_intent}")
                continue
            res = convert_agl_utterance(kind, utt["data"])
            if isinstance(res, str):
                col.drop(res)
                continue
            template, intent, slots = res
            col.add(template, intent, slots, source=snips_intent)


def convert_agl_utterance(kind: str, chunks: list[dict]):
    words: list[str] = []  # output tokens (normalized), slots as markers
    group = None
    number = None  # "to" / "by" / "bare"
    misfit = None
    chunks = [c for c in chunks if c["text"].strip() or "slot_name" in c]
    for i, c in enumerate(chunks):
        slot = c.get("slot_name")
        text = normalize(c["text"])
        if slot is None:
            words += text.split()
        elif slot.endswith("_action"):
            if not fits(text, slot_position(words)):
                misfit = "entity value does not fit its sentence (round-robin filled)"
            group = ACTION_GROUP.get(text)
            words.append(text)
        elif slot == "to_or_by":
            nxt = chunks[i + 1] if i + 1 < len(chunks) else None
            if nxt is not None and nxt.get("slot_name") == "numeric_value":
                number = text  # "to 21" is a value, "by 3" a step
            elif text != "to":
                misfit = "entity value does not fit its sentence (round-robin filled)"
            else:
                words.append("to")
        elif slot == "numeric_value":
            number = number or "bare"
            words.append("ph_number")
    t = " ".join(words)
    if "fahrenheit" in t:
        return "Fahrenheit temperature (hark's temperatures are Celsius, no unit slot)"
    if number == "by":
        return "change by an amount (hark's step intents have no amount slot)"
    result = agl_label(kind, t, group, number)
    # What hark lacks is counted first; a phrase hark could label but whose entity value does not fit it is
    # dropped too (the corpus wording is not repaired).
    return misfit if misfit and not isinstance(result, str) else result


def agl_label(kind: str, t: str, group: str | None, number: str | None):
    if number == "bare" and kind == "fan" and re.search(r"\bat ph_number$", t):
        return t.replace("ph_number", "{fan_level:level}"), "CabinSetFanSpeed", None  # "the fan speed at 36"
    if number == "bare":
        return "number without to/by (a value or a step? ambiguous)"
    if number == "to":
        if "ph_number" not in t:
            return "unclear number"
        if kind == "temperature":
            return t.replace("ph_number", "to " + CABIN_TEMPERATURE), "CabinSetTemperature", None
        if kind == "volume":
            return t.replace("ph_number", "to {volume}"), "MediaSetVolume", None
        if re.search(r"ph_number percent", t):
            return "fan speed in percent (hark's fan level is 1-10)"
        return t.replace("ph_number", "to {fan_level:level}"), "CabinSetFanSpeed", None
    # no number: a step
    if group in (None, "set"):
        return "set without a value"
    if kind == "fan":
        return "relative fan speed (hark has no fan step intent)"
    other = "down" if group == "up" else "up"
    if other in t.split()[1:]:
        return "wording contradicts the annotated direction"
    if kind == "temperature":
        return t, "CabinAdjustTemperature", {"direction": "warmer" if group == "up" else "cooler"}
    return t, "MediaAdjustVolume", {"direction": group}


# ================================================================================================ main

HOME_LLM_HEADER = """\
# GENERATED by models/train/import_corpora.py -- do not edit; regenerate instead (see README.md here).
# Training-only phrasings (not used by the matcher), converted from acon96/home-llm, data/piles/english
# (MIT, Copyright 2024 Alex O'Connell; see LICENSES.md): pile_of_templated_actions.csv,
# pile_of_status_requests.csv, pile_of_specific_actions.csv. Derived data: the corpus wording lower-cased
# and without punctuation, its placeholders and device names turned into hark's slots and lists, mapped
# onto the intents hark's grammar gives the same commands.
"""

AGL_HEADER = """\
# GENERATED by models/train/import_corpora.py -- do not edit; regenerate instead (see README.md here).
# Training-only phrasings (not used by the matcher), converted from malik727/snips-model-agl via agl-car
# (Apache-2.0, Copyright 2023 Malik Talha, Snips Open Source Community; see LICENSES.md):
# dataset/dataset.json. Derived data: the corpus wording lower-cased and without punctuation, its
# numbers turned into hark's lists, mapped onto the intents hark's grammar gives the same commands.
"""


def write(col: Collector, header: str, name: str) -> str:
    col.finish()
    os.makedirs(OUT_DIR, exist_ok=True)
    text = to_yaml_doc(col, header)
    try:  # parse back what we wrote, when PyYAML is there
        import yaml  # type: ignore

        doc = yaml.safe_load(text)
        n = sum(len(b["sentences"]) for d in doc["intents"].values() for b in d["data"])
        assert n == col.templates, (n, col.templates)
    except ImportError:
        pass
    out = os.path.join(OUT_DIR, name)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out


def summary(col: Collector, out: str) -> None:
    mapped = col.read - sum(col.dropped.values())
    print(f"\n== {col.name} -> {os.path.relpath(out, os.path.dirname(HERE))}")
    print(f"   phrases read:    {col.read}")
    print(f"   mapped:          {mapped}  ({col.templates} templates after removing {col.duplicates} duplicates)")
    print(f"   dropped:         {sum(col.dropped.values())}")
    for file, c in col.per_file.items():
        print(f"     {file}: read {c['read']}, mapped {c['mapped']}, dropped {c['dropped']}")
    print("   dropped by reason:")
    for reason, n in col.dropped.most_common():
        print(f"     {n:5d}  {reason}")
    for t in sorted(col.conflicts):
        print(f"            under two labels: {t!r}: " + "; ".join(f"{k[0]} {_fmt(_thaw(k[1]))}" for k in col.label_of[t]))
    by_intent = Counter()
    for (intent, slots, req, exc), s in col.groups.items():
        by_intent[intent] += len(s)
    print("   templates per intent: " + ", ".join(f"{k} {v}" for k, v in sorted(by_intent.items())))


def main(argv: list[str]) -> int:
    root = argv[1] if len(argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "corpora")
    piles = os.path.join(root, "home-llm-piles", "english")
    agl = os.path.join(root, "agl-car", "dataset", "dataset.json")
    for p in (piles, agl):
        if not os.path.exists(p):
            print(f"not found: {p}", file=sys.stderr)
            return 2

    home = Collector("home-llm (acon96/home-llm, data/piles/english)")
    convert_templated(os.path.join(piles, "pile_of_templated_actions.csv"), home)
    warnings = convert_status(os.path.join(piles, "pile_of_status_requests.csv"), home)
    convert_specific(os.path.join(piles, "pile_of_specific_actions.csv"), home)
    home_out = write(home, HOME_LLM_HEADER, "home-llm.yaml")

    car = Collector("agl-car (malik727/snips-model-agl)")
    convert_agl(agl, car)
    car_out = write(car, AGL_HEADER, "agl-car.yaml")

    summary(home, home_out)
    summary(car, car_out)
    if "--mapping" in argv:
        for col in (home, car):
            print(f"\n-- mapping ({col.name}): corpus service -> hark intent [slots] {{requires_context}}: phrases")
            for (src, intent, slots, req), n in sorted(col.sources.items()):
                print(f"   {src:45s} -> {intent} [{slots}] {{{req}}}: {n}")
    for w in warnings:
        print(f"note: {w}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
