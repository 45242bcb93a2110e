// The Wyoming protocol's framing (rhasspy/wyoming, event.py): every event is one line of JSON
//   {"type": …, "data"?: {…}, "data_length"?: N, "payload_length"?: M, "version"?: …}\n
// followed by N bytes of UTF-8 JSON merged into `data`, then M bytes of payload (PCM for audio-chunk).
// The parser takes bytes as they arrive and never trusts a length: a header line or data block over
// its limit, or a payload over its limit, is reported and skipped without being kept in memory.

/** The protocol version hark writes in every header (the rhasspy/wyoming release whose events it follows). */
export const WYOMING_VERSION = "1.5.4";

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

export interface FrameLimits {
  /** Longest header line, bytes (newline excluded). */
  maxHeaderBytes: number;
  /** Largest data block (data_length), bytes. */
  maxDataBytes: number;
  /** Largest payload (payload_length), bytes. */
  maxPayloadBytes: number;
}

export const DEFAULT_LIMITS: FrameLimits = { maxHeaderBytes: 1 << 20, maxDataBytes: 1 << 20, maxPayloadBytes: 10 << 20 };

/** What the parser found wrong; `fatal`: the byte stream cannot be followed any more (the connection must close). */
export interface FrameError {
  code: "bad-header" | "bad-data" | "too-large";
  text: string;
  fatal: boolean;
  /** The event type, when the header said it. */
  type?: string;
}

export type Frame = { event: WyomingEvent } | { error: FrameError };

/** One event as bytes, as rhasspy/wyoming writes it: data as a separate block, `version` in the header. */
export function encodeEvent(event: WyomingEvent): Buffer {
  const header: Record<string, unknown> = { type: event.type, version: WYOMING_VERSION };
  const parts: Buffer[] = [];
  let data: Buffer | undefined;
  if (Object.keys(event.data).length) {
    data = Buffer.from(JSON.stringify(event.data), "utf8");
    header.data_length = data.length;
  }
  if (event.payload?.length) header.payload_length = event.payload.length;
  parts.push(Buffer.from(`${JSON.stringify(header)}\n`, "utf8"));
  if (data) parts.push(data);
  if (event.payload?.length) parts.push(event.payload);
  return Buffer.concat(parts);
}

type State =
  | { kind: "header" }
  | { kind: "data"; type: string; data: Record<string, unknown>; need: number; payload: number }
  | { kind: "payload"; type: string; data: Record<string, unknown>; need: number }
  /** Skipping `left` bytes the header announced (too large, or the rest of a broken event). */
  | { kind: "skip"; left: number; then: number };

/**
 * Incremental parser: `push(bytes)` returns the events (and errors) the bytes completed, in order.
 * A header that is not a JSON object with a string `type` is reported and dropped (the next line is
 * read as the next header); lengths that are not whole numbers ≥ 0 are fatal (nothing says where the
 * next event starts). After a fatal error the parser drops everything.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private state: State = { kind: "header" };
  private dead = false;
  /** While a too-long header line is dropped: skip up to the next newline. */
  private skippingLine = false;

  constructor(private readonly limits: FrameLimits = DEFAULT_LIMITS) {}

  get closed(): boolean {
    return this.dead;
  }

  /** Bytes held waiting for the rest of an event. */
  get buffered(): number {
    return this.buf.length + this.waitingBytes;
  }

  push(chunk: Buffer): Frame[] {
    if (this.dead) return [];
    // A large block arrives in many TCP chunks: they wait in a list until the block is complete,
    // rather than being copied into one growing buffer each time.
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    const s = this.state;
    const need = s.kind === "data" || s.kind === "payload" ? s.need : s.kind === "skip" ? 1 : 0;
    const more = need ? this.buf.length + this.waitingBytes < need : chunk.indexOf(10) < 0 && this.buf.length + this.waitingBytes <= this.limits.maxHeaderBytes;
    if (more && !this.skippingLine) return [];
    this.buf = Buffer.concat([this.buf, ...this.waiting]);
    this.waiting = [];
    this.waitingBytes = 0;
    const out: Frame[] = [];
    while (!this.dead && this.step(out));
    if (this.dead) this.buf = Buffer.alloc(0);
    return out;
  }

  /** One step of the state machine; false when it needs more bytes. */
  private step(out: Frame[]): boolean {
    const s = this.state;
    switch (s.kind) {
      case "header":
        return this.header(out);
      case "data": {
        if (this.buf.length < s.need) return false;
        const block = this.take(s.need);
        let extra: unknown;
        try {
          extra = JSON.parse(block.toString("utf8"));
        } catch {
          extra = undefined;
        }
        if (!isObject(extra)) {
          out.push({ error: { code: "bad-data", text: `${s.type}: its data block is not a JSON object`, fatal: false, type: s.type } });
          this.state = s.payload ? { kind: "skip", left: s.payload, then: 0 } : { kind: "header" };
          return true;
        }
        const data = { ...s.data, ...extra };
        if (s.payload) this.state = { kind: "payload", type: s.type, data, need: s.payload };
        else {
          out.push({ event: { type: s.type, data } });
          this.state = { kind: "header" };
        }
        return true;
      }
      case "payload": {
        if (this.buf.length < s.need) return false;
        out.push({ event: { type: s.type, data: s.data, payload: Buffer.from(this.take(s.need)) } });
        this.state = { kind: "header" };
        return true;
      }
      case "skip": {
        if (!this.buf.length) return false;
        const n = Math.min(s.left, this.buf.length);
        this.take(n);
        const left = s.left - n;
        if (left > 0) this.state = { ...s, left };
        else this.state = s.then ? { kind: "skip", left: s.then, then: 0 } : { kind: "header" };
        return true;
      }
    }
  }

  private header(out: Frame[]): boolean {
    const nl = this.buf.indexOf(10);
    if (this.skippingLine) {
      // The rest of a header line that was too long: dropped as it arrives.
      if (nl < 0) {
        this.buf = Buffer.alloc(0);
        return false;
      }
      this.take(nl + 1);
      this.skippingLine = false;
      return true;
    }
    if (nl < 0) {
      if (this.buf.length <= this.limits.maxHeaderBytes) return false;
      out.push({ error: { code: "too-large", text: `header line longer than ${this.limits.maxHeaderBytes} bytes`, fatal: false } });
      this.buf = Buffer.alloc(0);
      this.skippingLine = true;
      return false;
    }
    const raw = this.take(nl + 1);
    if (nl > this.limits.maxHeaderBytes) {
      out.push({ error: { code: "too-large", text: `header line longer than ${this.limits.maxHeaderBytes} bytes`, fatal: false } });
      return true;
    }
    const line = raw.subarray(0, nl).toString("utf8").trim();
    if (!line) return true; // blank lines between events are tolerated
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch {
      out.push({ error: { code: "bad-header", text: `header is not JSON: ${clip(line)}`, fatal: false } });
      return true;
    }
    if (!isObject(header) || typeof header.type !== "string" || !header.type) {
      // Without a type the lengths may still be right; with lengths nobody can say what follows.
      const lengths = isObject(header) && (header.data_length !== undefined || header.payload_length !== undefined);
      out.push({ error: { code: "bad-header", text: `header without a string "type": ${clip(line)}`, fatal: lengths } });
      if (lengths) this.dead = true;
      return true;
    }
    const type = header.type;
    const dataLength = length(header.data_length);
    const payloadLength = length(header.payload_length);
    if (dataLength === undefined || payloadLength === undefined) {
      out.push({ error: { code: "bad-header", text: `${type}: data_length and payload_length must be whole numbers ≥ 0`, fatal: true, type } });
      this.dead = true;
      return true;
    }
    if (header.data !== undefined && header.data !== null && !isObject(header.data)) {
      out.push({ error: { code: "bad-header", text: `${type}: "data" must be a JSON object`, fatal: false, type } });
      this.state = dataLength + payloadLength ? { kind: "skip", left: dataLength + payloadLength, then: 0 } : { kind: "header" };
      return true;
    }
    const data = isObject(header.data) ? { ...header.data } : {};
    if (dataLength > this.limits.maxDataBytes || payloadLength > this.limits.maxPayloadBytes) {
      const what =
        dataLength > this.limits.maxDataBytes
          ? `data_length ${dataLength} is over the limit of ${this.limits.maxDataBytes}`
          : `payload_length ${payloadLength} is over the limit of ${this.limits.maxPayloadBytes}`;
      out.push({ error: { code: "too-large", text: `${type}: ${what} bytes; the event was skipped`, fatal: false, type } });
      this.state = dataLength ? { kind: "skip", left: dataLength, then: payloadLength } : { kind: "skip", left: payloadLength, then: 0 };
      return true;
    }
    if (dataLength) this.state = { kind: "data", type, data, need: dataLength, payload: payloadLength };
    else if (payloadLength) this.state = { kind: "payload", type, data, need: payloadLength };
    else out.push({ event: { type, data } });
    return true;
  }

  private take(n: number): Buffer {
    const head = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return head;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A length field: absent or null = 0; otherwise a safe whole number ≥ 0, else undefined. */
function length(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
