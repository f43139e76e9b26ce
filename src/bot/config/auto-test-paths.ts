import picomatch from "picomatch";
import type { ChangedFile } from "../github/pull-request.js";

/**
 * Whether a pull request that changes `files` is tested automatically under `auto_test_paths`
 * (`globs`, from the repository's root; `**` spans folders). A renamed file counts under its old
 * path too: moving a DAG out of `dags/` changes what runs. Empty `globs`: any change counts.
 */
export function changesMatchAutoTestPaths(files: readonly ChangedFile[], globs: readonly string[]): boolean {
  if (globs.length === 0) return true;
  const matches = picomatch([...globs], { dot: true });
  return files.some((file) => matches(file.filename) || (file.previousFilename !== null && matches(file.previousFilename)));
}
