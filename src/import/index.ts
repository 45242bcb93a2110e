// `hark grammar import --from hassil|hassil-fixtures|rhino SRC -o OUT`: bring other assistants'
// grammars and test homes into hark's format. Each importer writes plain hark YAML (reviewable,
// editable) and returns a report; what hark cannot express is dropped and listed in `warnings`.

import { UsageError } from "../platform/errors.js";
import { importHassil } from "./hassil.js";
import type { ImportReport } from "./yamlio.js";
import { importHassilFixtures } from "./hassilFixtures.js";
import { importRhino } from "./rhino.js";

export type { ImportReport } from "./yamlio.js";
export { importHassil, convertResponse } from "./hassil.js";
export { importHassilFixtures, inferCapabilities, expandName } from "./hassilFixtures.js";
export { initialState } from "./haState.js";
export { hassilExamples, judgeExample, type HassilExample, type ExampleVerdict } from "./hassilExamples.js";
export { importRhino, parseRhino } from "./rhino.js";

export type ImportFormat = "hassil" | "hassil-fixtures" | "rhino";
export const IMPORT_FORMATS: readonly ImportFormat[] = ["hassil", "hassil-fixtures", "rhino"];

/**
 * Import `src` (hassil: an HA intents repo root or its sentences/<lang> folder; hassil-fixtures: a
 * tests/<lang>/_fixtures.yaml file; rhino: a context .yaml file) into the folder `outDir`.
 */
export function importGrammar(format: ImportFormat, src: string, outDir: string): Promise<ImportReport> {
  switch (format) {
    case "hassil":
      return importHassil(src, outDir);
    case "hassil-fixtures":
      return importHassilFixtures(src, outDir);
    case "rhino":
      return importRhino(src, outDir);
    default:
      return Promise.reject(
        new UsageError(`unknown import format '${String(format)}' (expected ${IMPORT_FORMATS.join(", ")})`),
      );
  }
}
