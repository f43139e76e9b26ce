import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostConfigurationError } from "../../../src/drivers/aws/aws-errors.js";
import { ansibleConfigureHost } from "../../../src/drivers/aws/configure-host.js";
import type { ProgressEvent } from "../../../src/drivers/progress.js";
import { REPO_ROOT } from "../../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "shadowops-ansible-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ansible-playbook stand-in: records how it was called and what it was given, prints like Ansible. */
function fakePlaybook(exitCode: number): string {
  const script = join(dir, `ansible-playbook-${exitCode}`);
  writeFileSync(
    script,
    `#!/bin/sh
{ echo "ARGS $*"; echo "CONFIG $ANSIBLE_CONFIG"; cat "$2"; echo; cat "$(echo "$5" | cut -c2-)"; } > "${dir}/called-${exitCode}.txt"
echo "PLAY [Make the host a shadow node] ****"
echo "TASK [shadowops_r : Install R] ****"
echo "ok: [pr-1]"
${exitCode === 0 ? "" : 'echo "fatal: [pr-1]: FAILED! => {\\"msg\\": \\"apt failed\\"}"'}
exit ${exitCode}
`,
  );
  chmodSync(script, 0o755);
  return script;
}

const workload = { dagsDir: "/src/pr/dags", rDir: "/src/pr/r", migrationsDir: "/src/pr/migrations" };

describe("ansibleConfigureHost", () => {
  it("runs ansible/shadow-node.yml with the inventory and the workload's folders, reporting tasks", async () => {
    const progress: ProgressEvent[] = [];
    await ansibleConfigureHost({ root: REPO_ROOT, ansiblePlaybook: fakePlaybook(0) })({
      environment: "pr-1",
      inventory: "all: {}\n",
      workload,
      progress: (event) => progress.push(event),
    });
    const called = readFileSync(join(dir, "called-0.txt"), "utf8");
    expect(called).toMatch(new RegExp(`^ARGS -i /\\S+/inventory\\.yml ${REPO_ROOT}ansible/shadow-node\\.yml -e @/\\S+/workload\\.json$`, "m"));
    expect(called).toContain(`CONFIG ${REPO_ROOT}ansible/ansible.cfg`);
    expect(called).toContain("all: {}");
    expect(JSON.parse(called.trim().split("\n").pop()!)).toEqual({
      shadowops_workload_source_dir: "/src/pr",
      shadowops_workload_dags_dir: "/src/pr/dags",
      shadowops_workload_r_dir: "/src/pr/r",
      shadowops_workload_migrations_dir: "/src/pr/migrations",
    });
    expect(progress.map((e) => e.message)).toContain("task: shadowops_r : Install R");
  });

  it("fails with the playbook's last lines, and removes the inventory either way", async () => {
    const error = await ansibleConfigureHost({ root: REPO_ROOT, ansiblePlaybook: fakePlaybook(2) })({
      environment: "pr-1",
      inventory: "all: {}\n",
      workload,
      progress: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostConfigurationError);
    expect((error as Error).message).toMatch(/exited with 2\):\n.*fatal: \[pr-1\]: FAILED!.*apt failed/s);
    const inventoryPath = /-i (\S+)/.exec(readFileSync(join(dir, "called-2.txt"), "utf8"))![1]!;
    expect(() => readFileSync(inventoryPath)).toThrow(/ENOENT/);
  });

  it("says how to get Ansible when there is none", async () => {
    const error = await ansibleConfigureHost({ root: REPO_ROOT, ansiblePlaybook: join(dir, "no-such-ansible") })({
      environment: "pr-1",
      inventory: "",
      workload,
      progress: () => undefined,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/ENOENT.*is Ansible installed\?/s);
  });
});
