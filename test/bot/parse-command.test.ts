import { describe, expect, it } from "vitest";
import { COMMANDS, commandUsage } from "../../src/bot/commands/command-table.js";
import { parseCommand, type ParsedComment } from "../../src/bot/commands/parse-command.js";

const H = 3_600_000;
const ignore: ParsedComment = { kind: "ignore" };
const command = (parsed: object): ParsedComment => ({ kind: "command", command: parsed }) as ParsedComment;
const reply = (problem: object): ParsedComment => ({ kind: "reply", problem }) as ParsedComment;
const test = (overrides: object = {}) => command({ name: "test", dag: null, snapshot: null, ttlMs: null, ...overrides });

const cases: [string, ParsedComment][] = [
  // Not for us.
  ["LGTM", ignore],
  ["", ignore],
  ["please run /shadow test", ignore],
  ["> /shadow test\nquoting someone", ignore],
  ["/shadows test", ignore],
  ["/shadowtest", ignore],
  // Commands.
  ["/shadow test", test()],
  ["  /shadow test  ", test()],
  ["\n\n/shadow test\nthanks!", test()],
  ["/Shadow TEST", test()],
  ["/shadow test --dag sales_daily", test({ dag: "sales_daily" })],
  ["/shadow test --dag=sales_daily", test({ dag: "sales_daily" })],
  ["/shadow test --snapshot none --ttl 2h", test({ snapshot: "none", ttlMs: 2 * H })],
  ["/shadow test --snapshot rs:prod-2025-01-13-03-00", test({ snapshot: "rs:prod-2025-01-13-03-00" })],
  ["/shadow test --ttl 1h30m", test({ ttlMs: 1.5 * H })],
  ["/shadow destroy", command({ name: "destroy" })],
  ["/shadow status", command({ name: "status" })],
  ["/shadow help", command({ name: "help" })],
  ["/shadow extend 2h", command({ name: "extend", durationMs: 2 * H })],
  ["/shadow extend 90m", command({ name: "extend", durationMs: 1.5 * H })],
  // Replies with help.
  ["/shadow", reply({ code: "missing-command" })],
  ["/shadow tset", reply({ code: "unknown-command", token: "tset", suggestion: "test" })],
  ["/shadow destory", reply({ code: "unknown-command", token: "destory", suggestion: "destroy" })],
  ["/shadow stat", reply({ code: "unknown-command", token: "stat", suggestion: "status" })],
  ["/shadow deploy", reply({ code: "unknown-command", token: "deploy", suggestion: null })],
  ["/shadow test --tll 2h", reply({ code: "unknown-flag", command: "test", token: "--tll", suggestion: "--ttl" })],
  ["/shadow test --force", reply({ code: "unknown-flag", command: "test", token: "--force", suggestion: null })],
  ["/shadow test --dag", reply({ code: "missing-value", command: "test", flag: "--dag" })],
  ["/shadow test --dag --ttl 2h", reply({ code: "missing-value", command: "test", flag: "--dag" })],
  ["/shadow test --ttl=", reply({ code: "missing-value", command: "test", flag: "--ttl" })],
  ["/shadow test --ttl 2h --ttl 3h", reply({ code: "repeated-flag", command: "test", flag: "--ttl" })],
  ["/shadow test now", reply({ code: "unexpected-argument", command: "test", token: "now" })],
  ["/shadow destroy everything", reply({ code: "unexpected-argument", command: "destroy", token: "everything" })],
  ["/shadow extend", reply({ code: "missing-argument", command: "extend", argument: "DURATION" })],
  ["/shadow extend 2h 3h", reply({ code: "unexpected-argument", command: "extend", token: "3h" })],
  ["/shadow extend soon", reply(expect.objectContaining({ code: "invalid-value", command: "extend", name: "DURATION", value: "soon" }))],
  ["/shadow test --ttl forever", reply(expect.objectContaining({ code: "invalid-value", name: "--ttl", value: "forever" }))],
  ["/shadow test --dag ../../etc", reply(expect.objectContaining({ code: "invalid-value", name: "--dag" }))],
  ["/shadow test --snapshot $(id)", reply(expect.objectContaining({ code: "invalid-value", name: "--snapshot" }))],
];

describe("parseCommand", () => {
  it.each(cases)("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it("shows every command of the table in its usage", () => {
    expect(COMMANDS.map(commandUsage)).toEqual([
      "/shadow test [--dag ID] [--snapshot latest|ID|none] [--ttl DURATION]",
      "/shadow destroy",
      "/shadow status",
      "/shadow extend DURATION",
      "/shadow help",
    ]);
  });
});
