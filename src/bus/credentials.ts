// Broker passwords: hashes hark writes and checks (node:crypto only), and secrets read from files.
//
//   $scrypt$N=16384,r=8,p=1$<salt b64>$<key b64>   hark's own (`hark broker passwd`): scrypt, 32-byte key
//   $7$<iterations>$<salt b64>$<key b64>           mosquitto 2's password file format: PBKDF2-HMAC-SHA512, 64-byte key
//   $6$<salt b64>$<hash b64>                       mosquitto 1.x: SHA-512(password + salt)
//
// The embedded broker accepts all three, so one users list serves aedes and mosquitto alike
// (`hark broker config --mosquitto` writes $7$ lines; a $scrypt$ hash cannot be turned into one).

import { createHash, pbkdf2, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const SCRYPT_KEYLEN = 32;
const MOSQUITTO_ITERATIONS = 101; // what mosquitto_passwd 2.x writes
const MOSQUITTO_SALT = 12;

function scryptAsync(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

function pbkdf2Async(password: BinaryLike, salt: BinaryLike, iterations: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, keylen, "sha512", (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new `$scrypt$…` hash of the password (random salt). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_KEYLEN, SCRYPT);
  return `$scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** A new mosquitto 2 (`$7$`, PBKDF2-SHA512) hash of the password, as mosquitto_passwd writes it. */
export async function mosquittoHash(password: string): Promise<string> {
  const salt = randomBytes(MOSQUITTO_SALT);
  const key = await pbkdf2Async(password, salt, MOSQUITTO_ITERATIONS, 64);
  return `$7$${MOSQUITTO_ITERATIONS}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export type HashKind = "scrypt" | "mosquitto";

/** Which kind of hash this is, or an error message saying what is wrong with it. */
export function hashKind(hash: string): HashKind | { error: string } {
  if (/^\$scrypt\$N=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash)) return "scrypt";
  if (/^\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash) || /^\$6\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash)) return "mosquitto";
  return { error: "not a password hash hark knows ($scrypt$… from `hark broker passwd`, or mosquitto's $7$/$6$)" };
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Does the password match the hash? False for a malformed hash (never throws on bad input). */
export async function verifyPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const parts = hash.split("$");
  try {
    if (parts[1] === "scrypt" && parts.length === 5) {
      const m = /^N=(\d+),r=(\d+),p=(\d+)$/.exec(parts[2]!);
      if (!m) return false;
      const expected = Buffer.from(parts[4]!, "base64");
      const key = await scryptAsync(password, Buffer.from(parts[3]!, "base64"), expected.length, { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
      return same(key, expected);
    }
    if (parts[1] === "7" && parts.length === 5) {
      const expected = Buffer.from(parts[4]!, "base64");
      const key = await pbkdf2Async(password, Buffer.from(parts[3]!, "base64"), Number(parts[2]), expected.length);
      return same(key, expected);
    }
    if (parts[1] === "6" && parts.length === 4) {
      const expected = Buffer.from(parts[3]!, "base64");
      const key = createHash("sha512").update(password).update(Buffer.from(parts[2]!, "base64")).digest();
      return same(key, expected);
    }
  } catch {
    return false;
  }
  return false;
}

/** Constant-time comparison of two plain secrets (hark's own generated credentials). */
export function sameSecret(a: string | Buffer, b: string | Buffer): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/** A random password for hark's own clients of the embedded broker (never written anywhere). */
export const randomSecret = (): string => randomBytes(24).toString("base64url");

/**
 * The secret in a file (first line, trailing newline removed). A file others may read is refused:
 * a password file must be 0600 (or 0400), as ssh keys are.
 */
export function readSecretFile(path: string, what = "password_file"): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new Error(`${what} ${path}: no such file`);
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0)
    throw new Error(`${what} ${path}: readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  const text = readFileSync(path, "utf8").split(/\r?\n/)[0] ?? "";
  if (!text) throw new Error(`${what} ${path}: empty`);
  return text;
}
