// The shipped grammar, devices and cascade with the trust policy, loaded once per test file.
import { afterAll, beforeAll } from "vitest";
import { loadSources, loadUnderstander } from "../../src/nlu/index.js";
import type { Understander } from "../../src/nlu/types.js";
import { loadTrust, type TrustDeps } from "../../src/trust/index.js";

export interface ShippedTrust {
  understander: Understander & { dispose?(): Promise<void> };
  trust: TrustDeps;
}

/** Registers loading before the file's tests (and disposing after): the object's fields are set by then. */
export function shippedTrust(): ShippedTrust {
  const s = {} as ShippedTrust;
  beforeAll(async () => {
    s.understander = await loadUnderstander();
    s.trust = loadTrust(await loadSources());
  });
  afterAll(async () => {
    await s.understander?.dispose?.();
  });
  return s;
}
