// The house plan, checked on every `npm test` (issue 16): the module graph of src/ and machines/ has no
// import cycle, and no runtime module imports tooling (benchmarks, training, replay, the CLI, importers).
//
// The graph comes from dependency-cruiser, which resolves the ESM `.js` specifiers to the `.ts` sources
// through tsconfig.json. Every kind of import counts as an edge: static imports, `export … from`,
// dynamic `await import(…)` (a lazily loaded module is still a dependency: loading it may run the cycle),
// and type-only imports. Type-only imports are deliberately NOT excluded from the cycle check: they vanish
// at run time, but a type cycle still ties two modules into one unit, and every one found so far was
// broken by moving the shared types into a types module (src/nlu/slm/types.ts, src/dialog/types.ts).
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Tooling: code that measures, trains, replays, imports or drives hark from the command line or the web console. It may import
 * the runtime; the runtime (every other module under src/ and machines/) may not import it.
 */
const TOOLING = ["src/bench/", "src/models/train/", "src/replay/", "src/cli/", "src/import/", "src/console/"];
const TOOLING_PATH = `^(${TOOLING.join("|")})`;

let result: ICruiseResult;

beforeAll(async () => {
  const tsconfig = join(ROOT, "tsconfig.json");
  const reported = await cruise(
    ["src", "machines"],
    {
      baseDir: ROOT, // paths are reported and matched relative to the repository root
      tsConfig: { fileName: tsconfig },
      tsPreCompilationDeps: true, // keep type-only imports (see above)
      doNotFollow: { path: "node_modules" },
      exclude: { path: "^(dist|node_modules)/" },
      validate: true,
      ruleSet: {
        forbidden: [
          { name: "no-cycle", severity: "error", from: {}, to: { circular: true } },
          { name: "runtime-imports-tooling", severity: "error", from: { pathNot: TOOLING_PATH }, to: { path: TOOLING_PATH } },
        ],
      },
    },
    {},
    { tsConfig: extractTSConfig(tsconfig) },
  );
  result = reported.output as ICruiseResult;
}, 120_000);

const violations = (rule: string): IViolation[] => result.summary.violations.filter((v) => v.rule.name === rule);

describe("architecture: the module graph of src/ and machines/", () => {
  it("is the real graph: every local import resolved, static, dynamic and type-only edges seen", () => {
    const modules = new Map(result.modules.map((m) => [m.source, m]));
    expect(modules.size).toBeGreaterThan(100);
    const unresolved = result.modules.flatMap((m) =>
      m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith(".")).map((d) => `${m.source} → ${d.module}`),
    );
    expect(unresolved, "local imports dependency-cruiser could not resolve").toEqual([]);
    const edge = (from: string, to: string) => (modules.get(from)?.dependencies ?? []).filter((d) => d.resolved === to).flatMap((d) => d.dependencyTypes);
    // A few edges known to exist, one of each kind: if the resolver stopped seeing them, the checks below would pass vacuously.
    expect(edge("src/dialog/session.ts", "machines/dialog.ts")).toContain("import");
    expect(edge("src/nlu/index.ts", "src/nlu/slm/engine.ts")).toContain("dynamic-import");
    expect(edge("src/dialog/types.ts", "src/nlu/types.ts")).toContain("type-only");
    expect(edge("src/act/index.ts", "src/act/plan.ts")).toContain("export");
  });

  it("has no import cycle", () => {
    const cycles = violations("no-cycle").map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(" → "));
    expect(cycles, "import cycles (move what both sides need into a module that imports neither)").toEqual([]);
  });

  it("has no upward import from the runtime into tooling", () => {
    const upward = violations("runtime-imports-tooling").map((v) => `${v.from} → ${v.to}`);
    expect(upward, `runtime modules importing tooling (${TOOLING.join(", ")})`).toEqual([]);
  });
});
