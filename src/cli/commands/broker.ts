// hark broker: the locked-down broker's tooling (docs/security.md).
//   hark broker config --mosquitto -o DIR   the accounts and ACLs of hark.yaml's broker.serve for mosquitto
//   hark broker passwd [--mosquitto]        a password hash for broker.serve.users[].password_hash
import { Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadConfig } from "../../run/config.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";

export function register(program: Command): void {
  const broker = program.command("broker").description("the embedded broker's accounts, ACLs and TLS; the same for mosquitto (docs/security.md)");
  broker
    .command("config")
    .description("write mosquitto.conf, passwd and acl for the accounts of hark.yaml's broker.serve.users")
    .requiredOption("-o, --out <dir>", "folder for mosquitto.conf, passwd (0600) and acl (0600)")
    .option("--mosquitto", "mosquitto's formats (the only one so far; the default)")
    .option("--config <file>", "configuration file (default: ./hark.yaml when present)")
    .option("--devices <dir>", "devices folder the ACLs name (default: the config's, else devices/)")
    .option("--port <n>", "the listener's port (default 1883, or 8883 with TLS)")
    .action(async (opts: { out: string; config?: string; devices?: string; port?: string }) => {
      if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`--port: not a port: ${opts.port}`);
      const config = await loadConfig(opts.config);
      const [{ DeviceCatalog }, { sourcePaths }, { writeMosquittoConfig }] = await Promise.all([import("../../devices/catalog.js"), import("../../nlu/index.js"), import("../../bus/serve.js")]);
      const devices = opts.devices ?? config.devices;
      let catalog;
      try {
        catalog = DeviceCatalog.load(sourcePaths(devices ? { devices } : {}).devices);
      } catch (err) {
        throw new CommandError(err instanceof Error ? err.message.split("\n")[0]! : String(err));
      }
      const out = await writeMosquittoConfig(config.broker, catalog, { dir: opts.out, port: port ?? (config.broker.serve?.tls ? 8883 : 1883) });
      for (const w of out.warnings) process.stderr.write(`hark: warning: ${w}\n`);
      await writeLine(`wrote ${Object.keys(out.files).map((f) => join(opts.out, f)).join(", ")}; start it with: mosquitto -c ${join(opts.out, "mosquitto.conf")}`);
    });
  broker
    .command("passwd")
    .description("read a password on stdin, print its hash for broker.serve.users[].password_hash")
    .option("--mosquitto", "mosquitto_passwd's $7$ format (usable by mosquitto and hark) instead of scrypt")
    .action(async (opts: { mosquitto?: boolean }) => {
      const { hashPassword, mosquittoHash } = await import("../../bus/credentials.js");
      if (process.stdin.isTTY) process.stderr.write("password: ");
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
      let password: string | undefined;
      for await (const line of rl) {
        password = line;
        break;
      }
      rl.close();
      if (!password) throw new UsageError("no password on stdin");
      await writeLine(opts.mosquitto ? await mosquittoHash(password) : await hashPassword(password));
    });
}
