/**
 * The packed orb and every example, checked the way CircleCI's compiler and the orb review
 * would (validate and publish need CircleCI's servers, which are not reachable here), plus
 * shellcheck on the scripts and the CLI's own argument parser on every `shadowops` call the
 * scripts make.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";
import { ORB_SOURCE, OrbPackError, packOrb, toYaml } from "../../scripts/orb-pack.js";
import {
  asMap,
  exampleProblems,
  orbShapeProblems,
  parameterProblems,
  referenceProblems,
  reviewProblems,
  runCommandsOf,
} from "./orb-checks.js";
import { writeFakeTools, type FakeTools } from "./fake-tools.js";
import { compileJob, OrbCompileError, runOrbJob, type CompiledStep, type JobRun, type Params } from "./run-orb-job.js";

const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const { orb, yaml } = packOrb();
const SCRIPTS = join(ORB_SOURCE, "scripts");
const scriptFiles = readdirSync(SCRIPTS).filter((name) => name.endsWith(".sh")).sort();
const packageVersion = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("npm run orb:pack", () => {
  it("packs orb/src into one orb, the same text every time, that reads back as the same orb", () => {
    expect(packOrb().yaml).toBe(yaml);
    expect(parse(yaml)).toEqual(orb);
    expect(Object.keys(orb).sort()).toEqual(["commands", "description", "display", "examples", "executors", "jobs", "version"]);
    expect(Object.keys(asMap(orb.commands)).sort()).toEqual(
      ["assume_role", "check_result", "clean_up", "configure", "destroy", "extend", "install", "migrate", "provision", "reap", "report", "run_dag"].sort(),
    );
    expect(Object.keys(asMap(orb.jobs)).sort()).toEqual(["destroy", "extend", "reap", "shadow_test"]);
  });

  it("inlines every script (no include left) and the npm script writes the same file", () => {
    expect(yaml).not.toMatch(/<<\s*include\(/);
    expect(JSON.stringify(asMap(asMap(orb.commands).provision).steps)).toContain("shadowops up");
    const out = join(mkdtempSync(join(tmpdir(), "orb-pack-")), "orb.yml");
    const result = spawnSync("npm", ["run", "--silent", "orb:pack", "--", "--out", out], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(yaml);
  });

  describe("includes, like the CircleCI CLI", () => {
    const dir = mkdtempSync(join(tmpdir(), "orb-pack-src-"));
    const write = (path: string, text: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("escapes << in an included script, and the runner gives bash the script as written", async () => {
      write("@orb.yml", "version: 2.1\ndescription: test\n");
      write("scripts/heredoc.sh", 'cat <<EOF\nhello from a heredoc\nEOF\necho "<< not a parameter >>"\n');
      write("commands/say.yml", "description: d\nsteps:\n  - run:\n      name: Say\n      command: <<include(scripts/heredoc.sh)>>\n");
      write("jobs/speak.yml", "description: d\ndocker: [{ image: x }]\nsteps: [say]\n");
      const packed = packOrb(dir);
      expect(packed.yaml).toContain("cat \\<<EOF");
      expect(packed.yaml).toContain('echo "\\<< not a parameter >>"');
      const run = await runOrbJob({ orb: packed.orb, job: "speak", parameters: {}, cwd: dir });
      expect(run.ok).toBe(true);
      expect(run.steps[0]!.output).toBe("hello from a heredoc\n<< not a parameter >>\n");
    });

    it.each([
      ["prefix <<include(scripts/a.sh)>>", /the include statement must be the entire value/],
      ["<<include(scripts/a.sh)>><<include(scripts/a.sh)>>", /multiple include statements/],
      ["<<include(scripts/missing.sh)>>", /could not open scripts\/missing.sh for inclusion/],
    ])("refuses %s", (command, message) => {
      write("scripts/a.sh", "echo a\n");
      write("commands/say.yml", `description: d\nsteps:\n  - run:\n      name: Say\n      command: ${JSON.stringify(command)}\n`);
      expect(() => packOrb(dir)).toThrow(OrbPackError);
      expect(() => packOrb(dir)).toThrow(message);
    });
  });

  it("writes keys sorted, scripts as literal blocks", () => {
    expect(toYaml({ b: 1, a: { d: "x\ny\n", c: true } })).toBe("a:\n  c: true\n  d: |\n    x\n    y\nb: 1\n");
  });
});

describe("the packed orb", () => {
  it("is CircleCI config 2.1 in shape", () => {
    expect(orbShapeProblems(orb)).toEqual([]);
  });

  it("declares every << parameters.x >> it uses, with valid types and defaults", () => {
    expect(parameterProblems(orb)).toEqual([]);
  });

  it("refers only to commands, executors and arguments that exist", () => {
    expect(referenceProblems(orb)).toEqual([]);
  });

  it("passes the orb review: RC001–RC005, RC008–RC010, RC012", () => {
    const sourceRunCommands = ["commands", "jobs"].flatMap((section) =>
      readdirSync(join(ORB_SOURCE, section)).map((file) =>
        runCommandsOf(asMap(parse(readFileSync(join(ORB_SOURCE, section, file), "utf8"))), `${section}/${file}`),
      ),
    );
    expect(reviewProblems({ orb, sourceRunCommands: sourceRunCommands.flat() })).toEqual([]);
  });

  it("compiles every job with its defaults, and the pinned CLI is this package's version", () => {
    for (const [job, definition] of Object.entries(asMap(orb.jobs))) {
      const given = "environment" in asMap(asMap(definition).parameters) ? { environment: "e" } : {};
      expect(() => compileJob(orb, job, given)).not.toThrow();
    }
    const install = asMap(asMap(asMap(asMap(orb.commands).install).parameters).version);
    expect(install.default).toBe(packageVersion);
    for (const job of Object.values(asMap(orb.jobs))) expect(asMap(asMap(asMap(job).parameters).cli_version).default).toBe(packageVersion);
  });

  it("fails to compile a job given an unknown or mistyped argument, as CircleCI would", () => {
    expect(() => compileJob(orb, "shadow_test", { enviroment: "e" })).toThrow(new OrbCompileError("job shadow_test: Unexpected argument(s): enviroment"));
    expect(() => compileJob(orb, "shadow_test", { driver: "gcp" })).toThrow(/parameter driver: expected one of aws, local/);
    expect(() => compileJob(orb, "shadow_test", { pull_request: "2" })).toThrow(/parameter pull_request: expected an integer/);
    expect(() => compileJob(orb, "no_such_job", {})).toThrow(/Cannot find a definition for job named no_such_job/);
  });

  it("runs report and clean_up even after a failure, and nothing else does", () => {
    const steps = compileJob(orb, "shadow_test", { environment: "e" });
    const always = steps.filter((step) => step.when === "always").map(origin);
    expect(always).toEqual(["report", "clean_up"]);
    expect(steps.map(origin)).toEqual([
      "checkout",
      undefined, // check out the commit under test: the job's own run step
      "install",
      "assume_role",
      "provision",
      "configure",
      "migrate",
      "run_dag",
      "report",
      "clean_up",
      "check_result",
    ]);
    const local = compileJob(orb, "shadow_test", { environment: "e", driver: "local", checkout: false });
    expect(local.map(origin)).not.toContain("assume_role");
    const withKey = compileJob(orb, "shadow_test", { environment: "e", ssh_key_fingerprint: "SHA256:abc" });
    expect(withKey.find((step) => origin(step) === "add_ssh_keys")).toMatchObject({ args: { fingerprints: ["SHA256:abc"] } });
  });
});

describe("the examples", () => {
  const examples = Object.entries(asMap(orb.examples));

  it("exist for the bot's pipeline, the nightly reaper, use beside a repo's own jobs, and custom jobs", () => {
    expect(examples.map(([name]) => name).sort()).toEqual([
      "build_a_custom_shadow_job",
      "reap_expired_shadows_nightly",
      "test_pull_requests_with_the_bot",
      "use_alongside_your_own_jobs",
    ]);
  });

  it.each(examples)("%s is valid config that uses the orb correctly", (name, example) => {
    const usage = asMap(asMap(example).usage);
    expect(exampleProblems(orb, name, usage)).toEqual([]);
  });

  it("show every job of the orb, and every command is used by an example or a job", () => {
    const text = JSON.stringify(examples.map(([, example]) => example)) + JSON.stringify(orb.jobs);
    const used = (name: string) => text.includes(`"shadowops/${name}"`) || new RegExp(`"${name}"`).test(JSON.stringify(orb.jobs));
    expect(Object.keys(asMap(orb.jobs)).filter((name) => !JSON.stringify(examples).includes(`"shadowops/${name}"`))).toEqual([]);
    expect(Object.keys(asMap(orb.commands)).filter((name) => !used(name))).toEqual([]);
  });
});

describe("the scripts", () => {
  it("are shellcheck clean", () => {
    const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "--external-sources", ...scriptFiles], { cwd: SCRIPTS, encoding: "utf8" });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  describe("call shadowops only in ways its own argument parser accepts", () => {
    let fakes: FakeTools;
    let dir: string;
    const runs: JobRun[] = [];
    const TOKEN = "header.payload-of-the-oidc-token.signature";

    async function run(job: string, parameters: Params, env: NodeJS.ProcessEnv = {}): Promise<JobRun> {
      const work = mkdtempSync(join(dir, "work-"));
      const result = await runOrbJob({
        orb,
        job,
        parameters: { ...("work_dir" in asMap(asMap(asMap(orb.jobs)[job]).parameters) ? { work_dir: work } : {}), ...parameters },
        cwd: dir,
        env: {
          PATH: `${fakes.bin}:${process.env.PATH}`,
          FAKE_TOOLS_LOG: fakes.log,
          SHADOWOPS_CALLBACK_URL: "http://127.0.0.1:9/",
          SHADOWOPS_CALLBACK_SECRET: "s3cret-for-fakes",
          CIRCLE_OIDC_TOKEN_V2: TOKEN,
          ...env,
        },
      });
      runs.push(result);
      return result;
    }
    const aws = {
      role_arn: "arn:aws:iam::123456789012:role/shadowops-deployer",
      region: "eu-west-1",
      checkout: false,
    };
    const pr = {
      environment: "codertocat-hello-world-pr-2",
      repository: "Codertocat/Hello-World",
      pull_request: 2,
      commit: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orb-fakes-"));
      fakes = writeFakeTools(join(dir, "fakes"), packageVersion);
      writeFileSync(join(dir, "site.yml"), "- hosts: all\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("shadow_test on aws, new environment, every option set: passes", async () => {
      const result = await run("shadow_test", {
        ...aws,
        ...pr,
        dag: "warehouse_metrics",
        snapshot: "rs:prod-2026-11-27",
        ttl: "6h",
        timeout: "45m",
        allowed_cidr: "203.0.113.0/24",
        ansible_playbook: "site.yml",
      });
      expect(result.ok, result.output).toBe(true);
      const calls = fakes.calls();
      expect(calls).toContainEqual([
        "shadowops", "up", "--driver", "aws", "--env", pr.environment, "--region", "eu-west-1", "--project", ".", "--ttl", "6h",
        "--snapshot", "rs:prod-2026-11-27", "--allowed-cidr", "203.0.113.0/24", "--repository", pr.repository, "--pull-request", "2", "--commit", pr.commit,
      ]);
      expect(calls).toContainEqual(["aws", "sts", "assume-role-with-web-identity", "--role-arn", aws.role_arn, "--role-session-name", expect.stringMatching(/^shadowops-\d+$/),
        "--web-identity-token", expect.stringMatching(/^file:\/\//), "--duration-seconds", "7200", "--query", "Credentials.[AccessKeyId,SecretAccessKey,SessionToken,Expiration]", "--output", "text", "--region", "eu-west-1"]);
      expect(calls.find((call) => call[0] === "ansible-playbook"), result.output).toEqual(["ansible-playbook", "-i", expect.stringMatching(/inventory\.yml$/), "site.yml"]);
      expect(calls.filter((call) => call[1] === "notify").map((call) => call[call.indexOf("--event") + 1])).toEqual(["phase", "ready", "phase", "phase", "migrations", "phase", "dag_result"]);
      // The result outlasts a restart of the bot: about a minute of retries unless the job says otherwise.
      expect(calls.find((call) => call[1] === "notify" && call.includes("dag_result"))!.slice(0, 6)).toEqual(["shadowops", "notify", "--env", pr.environment, "--retries", "6"]);
      expect(result.steps.map((step) => `${step.from ?? step.name}:${step.status}`)).toEqual([
        "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:success", "check_result:success",
      ]);
      // A new environment has the code `up` deployed; migrate does not deploy it again.
      expect(calls.find((call) => call[1] === "migrate")).toEqual(["shadowops", "migrate", "--driver", "aws", "--env", pr.environment, "--region", "eu-west-1", "--project", ".", "--json", "--markdown", expect.stringMatching(/report\.md$/), "--no-deploy"]);
      expect(calls.find((call) => call[1] === "run-dag")).toEqual(["shadowops", "run-dag", "--driver", "aws", "--env", pr.environment, "--region", "eu-west-1", "--migrations", expect.stringMatching(/migrations\.json$/), "--json", "--markdown", expect.stringMatching(/report\.md$/), "--dag", "warehouse_metrics", "--timeout", "45m"]);
      // Progress of the CLI is in the step's output as it came, not only after the step.
      expect(result.steps.find((step) => step.from === "migrate")!.output).toContain("migrate   applying 0001_fake.sql (1/1)");
      expect(result.steps.find((step) => step.from === "run_dag")!.output).toContain("d: run shadowops__fake triggered");
      // The OIDC token and the credentials stay out of the command lines and the output.
      expect(JSON.stringify(calls)).not.toContain(TOKEN);
      expect(result.output).not.toContain(TOKEN);
      expect(result.output).not.toContain("fake-secret-access-key");
    });

    it("shadow_test on aws re-testing a live environment, DAG fails, keep_environment false: reports, destroys, fails", async () => {
      const result = await run("shadow_test", { ...aws, ...pr, environment: "codertocat-hello-world-pr-3", keep_environment: false }, { FAKE_STATUS: "live", FAKE_DAG_EXIT: "1" });
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => `${step.from ?? step.name}:${step.status}`)).toEqual([
        "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:success", "check_result:failed",
      ]);
      const calls = fakes.calls().filter((call) => call.includes("codertocat-hello-world-pr-3"));
      expect(calls.map((call) => call[1])).toContain("extend");
      expect(calls.map((call) => call[1])).not.toContain("up");
      // A reused environment runs older code: migrate deploys the pull request's first.
      expect(calls.find((call) => call[1] === "migrate")).not.toContain("--no-deploy");
      expect(calls).toContainEqual(["shadowops", "down", "--driver", "aws", "--env", "codertocat-hello-world-pr-3", "--region", "eu-west-1"]);
      // Until the bot hears "destroyed", the environment holds a max_live_environments place: that
      // callback outlasts a restart of the bot too, yet its failure never fails the job.
      expect(calls.find((call) => call[1] === "notify" && call.includes("destroyed"))!.slice(0, 7)).toEqual([
        "shadowops", "notify", "--env", "codertocat-hello-world-pr-3", "--best-effort", "--retries", "6",
      ]);
      expect(calls.find((call) => call[1] === "notify" && call.includes("destroying"))!.slice(4, 7)).toEqual(["--best-effort", "--retries", "1"]);
      expect(result.steps.at(-1)!.output).toContain("the shadow test failed: DAG d failed: t1 failed");
    });

    it("shadow_test with the local driver and no bot: an error stops the test, the environment is destroyed", async () => {
      const result = await run("shadow_test", { driver: "local", environment: "orb-fake-local", checkout: false }, { SHADOWOPS_CALLBACK_URL: "", FAKE_DAG_EXIT: "3" });
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => `${step.from ?? step.name}:${step.status}`)).toEqual([
        "install:success", "provision:success", "configure:success", "migrate:success", "run_dag:failed", "report:success", "clean_up:success", "check_result:skipped",
      ]);
      expect(result.steps.find((step) => step.from === "run_dag")!.output).toContain("shadowops run-dag stopped with exit 3: Airflow at http://127.0.0.1:1 stopped answering");
      expect(result.steps.find((step) => step.from === "report")!.output).toContain("no callback URL in $SHADOWOPS_CALLBACK_URL");
      expect(fakes.calls()).toContainEqual(["shadowops", "down", "--driver", "local", "--env", "orb-fake-local"]);
    });

    it("shadow_test with a failing migration: the DAG step is skipped, the report still goes out, the environment is destroyed", async () => {
      const environment = "codertocat-hello-world-pr-5";
      const result = await run("shadow_test", { ...aws, ...pr, environment, keep_environment: false }, { FAKE_MIGRATE_EXIT: "1" });
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => `${step.from ?? step.name}:${step.status}`)).toEqual([
        "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:failed", "run_dag:skipped", "report:success", "clean_up:success", "check_result:skipped",
      ]);
      expect(result.steps.find((step) => step.from === "migrate")!.output).toContain("shadowops orb: a migration FAILED, so the DAG is not run");
      const calls = fakes.calls().filter((call) => call.includes(environment));
      expect(calls.map((call) => call[1])).not.toContain("run-dag");
      // The bot gets the migrations' report as the test's result, not a bare "failed".
      const reported = calls.find((call) => call[1] === "notify" && call.includes("dag_result"));
      expect(reported).toBeDefined();
      expect(calls).toContainEqual(["shadowops", "down", "--driver", "aws", "--env", environment, "--region", "eu-west-1"]);
    });

    it("a step run without the install step says what is missing", async () => {
      const result = await runOrbJob({
        orb,
        job: "shadow_test",
        parameters: { driver: "local", environment: "no-install", checkout: false },
        cwd: dir,
        env: { PATH: `${fakes.bin}:${process.env.PATH}`, FAKE_TOOLS_LOG: fakes.log },
        omit: ["install"],
      });
      expect(result.ok).toBe(false);
      expect(result.steps.find((step) => step.from === "provision")!.output).toMatch(/SHADOWOPS_ORB_HELPERS: is not set: run the shadowops\/install command earlier in this job/);
    });

    it("destroy, extend and reap jobs", async () => {
      expect((await run("destroy", { role_arn: aws.role_arn, region: aws.region, environment: "codertocat-hello-world-pr-4", commit: pr.commit }, { FAKE_STATUS: "live" })).ok).toBe(true);
      expect((await run("destroy", { driver: "local", environment: "gone-already" }, { SHADOWOPS_CALLBACK_URL: "" })).ok).toBe(true);
      expect((await run("extend", { role_arn: aws.role_arn, environment: "codertocat-hello-world-pr-4", ttl: "2h" })).ok).toBe(true);
      const reap = await run("reap", { role_arn: aws.role_arn, dry_run: true }, { FAKE_AWS_FAIL: "" });
      expect(reap.ok, reap.output).toBe(true);
      expect(fakes.calls()).toContainEqual(["shadowops", "reap", "--driver", "aws", "--dry-run"]);
      expect(fakes.calls()).toContainEqual(["shadowops", "extend", "--driver", "aws", "--env", "codertocat-hello-world-pr-4", "--ttl", "2h"]);
      // "destroyed" outlasts a restart of the bot: about a minute of retries unless the job says otherwise.
      expect(fakes.calls().find((call) => call[1] === "notify" && call.includes("destroyed") && call.includes("codertocat-hello-world-pr-4"))).toEqual([
        "shadowops", "notify", "--env", "codertocat-hello-world-pr-4", "--commit", pr.commit, "--retries", "6", "--event", "destroyed", "--reason", "destroyed on request",
      ]);
    });

    it("every recorded call parses with buildProgram(), and every subcommand the scripts name was exercised", () => {
      const calls = fakes.calls().filter((call) => call[0] === "shadowops").map((call) => call.slice(1));
      expect(calls.length).toBeGreaterThan(20);
      const problems = calls.map((argv) => [argv.join(" "), parseWithCli(argv)] as const).filter(([, problem]) => problem !== undefined);
      expect(problems).toEqual([]);

      const named = new Set<string>();
      for (const file of scriptFiles) {
        const text = readFileSync(join(SCRIPTS, file), "utf8");
        for (const match of text.matchAll(/\bshadowops\s+([a-z][a-z-]+)\b/g)) named.add(match[1]!);
        for (const match of text.matchAll(/\b\w*args=\(([a-z][a-z-]+)\b/g)) named.add(match[1]!);
      }
      const known = new Set(buildProgram().commands.map((command) => command.name()));
      const subcommands = [...named].filter((word) => known.has(word));
      expect(subcommands.sort()).toEqual(["down", "extend", "inventory", "migrate", "notify", "reap", "run-dag", "status", "up"]);
      const exercised = new Set(calls.map((argv) => argv[0]));
      expect(subcommands.filter((name) => !exercised.has(name))).toEqual([]);
    });
  });
});

/** Which orb command a compiled step came from, or the built-in step's name. */
function origin(step: CompiledStep): string | undefined {
  return "builtin" in step ? step.builtin : step.from;
}

/** Parses argv with the CLI's own definitions, actions replaced: undefined, or the parse error. */
function parseWithCli(argv: string[]): string | undefined {
  const program = buildProgram();
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
    for (const sub of command.commands) {
      sub.action(() => undefined);
      quiet(sub);
    }
  };
  quiet(program);
  try {
    program.parse(["node", "shadowops", ...argv]);
    return undefined;
  } catch (error) {
    return error instanceof CommanderError ? error.message : String(error);
  }
}
