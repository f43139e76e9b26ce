import { describe, expect, it } from "vitest";
import { createTemplateEngine } from "../../src/report/template-helpers.js";

const engine = createTemplateEngine();
const markdown = (source: string) => engine.compile(source, { strict: true });
const text = (source: string) => engine.compile(source, { strict: true, noEscape: true });

describe("template helpers", () => {
  it.each([
    ["a printed field", "{{task.taskId}}", /"taskId" not defined/],
    ["a helper argument", "{{md task.taskId}}", /md: expected text, got undefined/],
    ["an #if argument", "{{#if task.failed}}x{{/if}}", /#if: its argument is missing/],
    ["an #each argument", "{{#each task.lines}}x{{/each}}", /#each: its argument is missing/],
  ])("catches a field missing from the view: %s", (_name, source, error) => {
    expect(() => markdown(source)({ task: {} })).toThrow(error);
  });

  it("treats null as present and false", () => {
    expect(markdown("{{#if task.failed}}x{{else}}y{{/if}}")({ task: { failed: null } })).toBe("y");
  });

  it("makes helpers refuse a null instead of printing nothing", () => {
    expect(() => markdown("{{md failure}}")({ failure: null })).toThrow(/md: expected text, got null/);
  });

  it("stays on a private instance", async () => {
    const { default: Handlebars } = await import("handlebars");
    expect(Handlebars.helpers).not.toHaveProperty("md");
  });

  it.each([
    ["md", "{{md value}}", { value: "a|b <i>" }, "a\\|b &lt;i&gt;"],
    ["html", "{{html value}}", { value: "<b>" }, "&lt;b&gt;"],
    ["mdLink", '{{mdLink "UI" value}}', { value: "https://x.test/" }, "[UI](https://x.test/)"],
    ["mermaid", "{{mermaid value}}", { value: "a:b" }, "a_b"],
    ["formatDuration", "{{formatDuration value}}", { value: 245_000 }, "4 min 05 s"],
    ["number", "{{number value}}", { value: 3000 }, "3,000"],
    ["plural one", '{{plural value "task" "tasks"}}', { value: 1 }, "task"],
    ["plural many", '{{plural value "task" "tasks"}}', { value: 2 }, "tasks"],
    ["eq", '{{#if (eq value "failed")}}yes{{/if}}', { value: "failed" }, "yes"],
    ["default escaping without a helper", "{{value}}", { value: "<script>" }, "&lt;script&gt;"],
  ])("%s", (_name, source, view, expected) => {
    expect(markdown(source)(view)).toBe(expected);
  });

  it("indents every non-empty line", () => {
    expect(text("{{indent value 4}}")({ value: "a\n\nb" })).toBe("    a\n\n    b");
  });

  it("colors only when the root view asks for it", () => {
    const template = text('{{#each items}}{{paint "red" this}}{{/each}}');
    expect(template({ items: ["x"], color: false })).toBe("x");
    expect(template({ items: ["x"], color: true })).toBe("\u001b[31mx\u001b[0m");
    expect(() => text('{{paint "purple" "x"}}')({ color: true })).toThrow(/unknown color/);
  });

  it("aligns tab-separated columns, ignoring color codes, and passes other lines through", () => {
    const template = text('{{#alignColumns}}\nNAME\tSTATE\tTRY\n{{#each rows}}\n{{name}}\t{{paint "green" state}}\t{{try}}\n  note for {{name}}\n{{/each}}\n{{/alignColumns}}\n');
    const output = template({
      color: true,
      rows: [
        { name: "extract", state: "success", try: 1 },
        { name: "r_model_fit", state: "ok", try: 12 },
      ],
    });
    const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
    expect(plain).toBe(
      ["NAME         STATE    TRY", "extract      success  1", "  note for extract", "r_model_fit  ok       12", "  note for r_model_fit", ""].join("\n"),
    );
  });
});
