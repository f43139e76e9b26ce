// Escape sequences a log or an error message can carry: colors (CSI), window titles and
// hyperlinks (OSC), and the short two-character forms.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
// Control characters other than newline and tab, DEL, C1 controls, and the bidirectional
// overrides that make text read differently from what it is ("Trojan Source").
const INVISIBLE_OR_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (logs, error messages, ids) made safe to show: escape sequences and
 * control characters removed, every line break turned into "\n". Tabs and newlines stay.
 */
export function cleanText(text: string): string {
  return text
    .replace(ANSI_SEQUENCE, "")
    .replace(/\r\n?/g, "\n")
    .replace(INVISIBLE_OR_CONTROL, "");
}

/** Like cleanText, for one-line places (table cells, headers): all whitespace runs become one space. */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/g, " ").trim();
}
