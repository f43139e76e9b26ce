import { describe, expect, it } from "vitest";
import { changesMatchAutoTestPaths } from "../../src/bot/config/auto-test-paths.js";

const changed = (...filenames: string[]) => filenames.map((filename) => ({ filename, previousFilename: null }));

describe("auto_test_paths", () => {
  it("matches any change when empty", () => {
    expect(changesMatchAutoTestPaths(changed("README.md"), [])).toBe(true);
  });

  it("matches paths from the repository's root, ** across folders and * within one", () => {
    const globs = ["dags/**", "migrations/*.sql"];
    expect(changesMatchAutoTestPaths(changed("dags/sales/daily.py"), globs)).toBe(true);
    expect(changesMatchAutoTestPaths(changed("migrations/0003_orders.sql"), globs)).toBe(true);
    expect(changesMatchAutoTestPaths(changed("migrations/old/0001.sql", "docs/dags/x.md", "README.md"), globs)).toBe(false);
  });

  it("matches dot files and a renamed file's old path", () => {
    expect(changesMatchAutoTestPaths(changed("r/.Rprofile"), ["r/**"])).toBe(true);
    expect(changesMatchAutoTestPaths([{ filename: "attic/sales.R", previousFilename: "r/sales.R" }], ["r/**"])).toBe(true);
    expect(changesMatchAutoTestPaths([{ filename: "attic/sales.R", previousFilename: "attic/old.R" }], ["r/**"])).toBe(false);
  });
});
