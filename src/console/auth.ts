// Who may use the web console. Off by default; on loopback it needs no token, anywhere else it must have
// one (console.token in hark.yaml, or $HARK_CONSOLE_TOKEN), and then every HTTP request and every
// socket carries it: `?token=…`, `Authorization: Bearer …`, or the cookie the page gets when it is
// opened with `?token=…` (so its own scripts and socket need not repeat it).
// Without a token, the loopback console still refuses requests whose Host is not a loopback name (a
// web page elsewhere cannot reach it through DNS rebinding), and every socket must come from the
// console's own page (Origin): browsers let any page open a WebSocket to 127.0.0.1.
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { UsageError } from "../platform/errors.js";

export const COOKIE = "hark_console";

export interface Listen {
  host: string;
  port: number;
}

/** `HOST:PORT` (`[::1]:8080` for IPv6; port 0 = any free port) → host and port; else a usage error. */
export function parseListen(spec: string): Listen {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(spec.trim());
  const host = m?.[1] ?? m?.[2];
  const port = m ? Number(m[3]) : NaN;
  if (!m || !host || !(port >= 0 && port <= 65535)) throw new UsageError(`--console: expected HOST:PORT (e.g. 127.0.0.1:8080), got ${spec}`);
  if (m[1] && isIP(host) !== 6) throw new UsageError(`--console: not an IPv6 address: [${host}]`);
  return { host, port };
}

/** Only this machine can reach it: 127.0.0.0/8, ::1, localhost (and the IPv4-mapped loopback). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** Refuse to listen beyond loopback without a token (a usage error: exit status 2). */
export function checkListen(listen: Listen, token: string | undefined): void {
  if (!token && !isLoopback(listen.host))
    throw new UsageError(`--console: listening on ${listen.host} needs a token (console.token in hark.yaml or $HARK_CONSOLE_TOKEN); without one the console listens on loopback only (127.0.0.1)`);
}

/** Constant-time comparison (the lengths are hidden by hashing both sides first). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

export interface RequestLike {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

const header = (r: RequestLike, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The token a request carries, and where: `?token=`, `Authorization: Bearer`, or the console's cookie. */
export function requestToken(r: RequestLike): { token: string; from: "query" | "header" | "cookie" } | undefined {
  const q = new URL(r.url, "http://x").searchParams.get("token");
  if (q) return { token: q, from: "query" };
  const auth = /^Bearer\s+(.+)$/i.exec(header(r, "authorization") ?? "");
  if (auth) return { token: auth[1]!.trim(), from: "header" };
  for (const part of (header(r, "cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE && v.length) return { token: decodeURIComponent(v.join("=")), from: "cookie" };
  }
  return undefined;
}

/** The host name of a Host header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
export function hostName(hostHeader: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return m ? m[1]! : hostHeader;
}

export type Verdict = { ok: true; setCookie?: string } | { ok: false; status: 401 | 403; error: string };

/**
 * May this request in? With a token: it must carry it (401 otherwise). Without one (loopback only):
 * the Host must be a loopback name (403). Sockets (`upgrade`) must in both cases come from a page of
 * this server, or from no page at all (a program: no Origin header).
 */
export function admit(r: RequestLike, token: string | undefined, upgrade = false): Verdict {
  const host = header(r, "host") ?? "";
  if (upgrade) {
    const origin = header(r, "origin");
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`)
      return { ok: false, status: 403, error: `a socket from another site (${origin}) is not accepted` };
  }
  if (!token) {
    if (!isLoopback(hostName(host))) return { ok: false, status: 403, error: "this console answers to loopback names only (127.0.0.1, localhost)" };
    return { ok: true };
  }
  const given = requestToken(r);
  if (!given || !tokenMatches(given.token, token))
    return { ok: false, status: 401, error: "the console needs its token: ?token=… or Authorization: Bearer …" };
  // Opened with ?token=: the page's own requests (scripts, socket) carry it as a cookie from now on.
  if (given.from === "query") return { ok: true, setCookie: `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict` };
  return { ok: true };
}
