import { describe, expect, it } from "vitest";
import { codeFenceFor, escapeHtml, escapeMarkdown, markdownLink, markdownLinkUrl } from "../../src/report/escape-markdown.js";

const ZWJ = "\u200d";

describe("escapeMarkdown", () => {
  it.each([
    ["plain words", "shadow test ok", "shadow test ok"],
    ["script tag", "<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"],
    ["html entity stays literal", "&lt;b&gt;", "&amp;lt;b&amp;gt;"],
    ["pipe in a table cell", "a|b", "a\\|b"],
    ["mention", "ping @octocat", `ping @${ZWJ}octocat`],
    ["team mention", "@acme/data-team", `@${ZWJ}acme/data-team`],
    ["issue reference", "see #12", `see \\#${ZWJ}12`],
    ["javascript link", "[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"],
    ["emphasis and code", "*a* _b_ `c` ~d~", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~"],
    ["image", "![x](y)", "\\!\\[x\\]\\(y\\)"],
    ["math", "$x$", "\\$x\\$"],
    ["heading", "# title", "\\# title"],
    ["list item at the start", "- item", "\\- item"],
    ["ordered list at the start", "1. first", "1\\. first"],
    ["hyphen inside", "sales-pr-42", "sales-pr-42"],
    ["backslash", "C:\\path", "C:\\\\path"],
    ["line breaks", "one\ntwo\r\nthree", "one<br>two<br>three"],
    ["ANSI color", "\u001b[31mred\u001b[0m", "red"],
    ["control characters and bidi overrides", "a\u0000b\u0007c\u202ed", "abcd"],
  ])("%s", (_name, input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it("never lets a `](javascript:` link through", () => {
    expect(escapeMarkdown("x](javascript:alert(1))")).not.toContain("](javascript:");
  });
});

describe("escapeHtml", () => {
  it.each([
    ["script tag", "<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"],
    ["closing details", "</details>", "&lt;/details&gt;"],
    ["quotes and ampersands", 'a "b" & c', "a &quot;b&quot; &amp; c"],
    ["mention", "@octocat", `@${ZWJ}octocat`],
    ["one line", "a\n\tb", "a b"],
    ["markdown is left alone (HTML does not parse it)", "a_b*c", "a_b*c"],
  ])("%s", (_name, input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe("codeFenceFor", () => {
  it.each([
    ["no backticks", "plain log", "```"],
    ["a short run", "call `f()`", "```"],
    ["a fence inside", "```\ncode\n```", "````"],
    ["a long run", "x `````` y", "```````"],
  ])("%s", (_name, code, expected) => {
    expect(codeFenceFor(code)).toBe(expected);
  });
});

describe("markdownLinkUrl", () => {
  it.each([
    ["http URL", "http://203.0.113.10:8080/dags", "http://203.0.113.10:8080/dags"],
    ["credentials are dropped", "https://admin:s3cret@airflow.example.com/", "https://airflow.example.com/"],
    ["parentheses cannot end the link", "https://example.com/a)(b", "https://example.com/a%29%28b"],
    ["spaces are encoded", "https://example.com/a b", "https://example.com/a%20b"],
    ["javascript", "javascript:alert(1)", null],
    ["data", "data:text/html,<script>alert(1)</script>", null],
    ["not a URL", "airflow on port 8080", null],
  ])("%s", (_name, url, expected) => {
    expect(markdownLinkUrl(url)).toBe(expected);
  });

  it("links only http(s) and otherwise shows the label alone", () => {
    expect(markdownLink("Airflow", "https://example.com/x")).toBe("[Airflow](https://example.com/x)");
    expect(markdownLink("Airflow", "javascript:alert(1)")).toBe("Airflow");
  });
});
