import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/**
 * A new folder (under the system's temp folder, named from `prefix`) for each test of the
 * calling file or `describe`, removed after the test, whatever it left there. Returns the
 * folder's path; asking outside a test is a mistake in the test, so it throws.
 */
export function tempDirPerTest(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error("the temp folder exists only while a test runs");
    return dir;
  };
}
