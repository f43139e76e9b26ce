/** Test oracles for the markdown the reports produce. */

export interface Structure {
  /** Lines of the fenced blocks, by info string, in order. */
  codeBlocks: { info: string; body: string }[];
  /** A fence is still open at the end. */
  openFence: boolean;
  /** `<details>` opened minus closed, outside code; negative when a close came first. */
  detailsBalance: number;
  /** The text outside fenced code blocks. */
  prose: string;
}

/** Reads fenced code blocks the way CommonMark does (a closer has the same character, at least as many). */
export function structureOf(markdown: string): Structure {
  const codeBlocks: Structure["codeBlocks"] = [];
  const prose: string[] = [];
  let open: { marker: string; info: string; body: string[] } | null = null;
  let detailsBalance = 0;
  let minBalance = 0;
  for (const line of markdown.split("\n")) {
    if (open) {
      const closer = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
      if (closer && closer[0] === open.marker[0] && closer.length >= open.marker.length) {
        codeBlocks.push({ info: open.info, body: open.body.join("\n") });
        open = null;
      } else {
        open.body.push(line);
      }
      continue;
    }
    const opener = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (opener?.[1] && !(opener[1][0] === "`" && (opener[2] ?? "").includes("`"))) {
      open = { marker: opener[1], info: (opener[2] ?? "").trim(), body: [] };
      continue;
    }
    prose.push(line);
    detailsBalance += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    minBalance = Math.min(minBalance, detailsBalance);
  }
  return {
    codeBlocks,
    openFence: open !== null,
    detailsBalance: minBalance < 0 ? minBalance : detailsBalance,
    prose: prose.join("\n"),
  };
}

export function isWellFormed(markdown: string): boolean {
  const structure = structureOf(markdown);
  return !structure.openFence && structure.detailsBalance === 0;
}

/** The table row whose first cell is `firstCell` (as escaped in the markdown), split into cells. */
export function tableRow(markdown: string, firstCell: string): string[] | undefined {
  const line = markdown.split("\n").find((row) => row.startsWith(`| ${firstCell} |`));
  return line
    ?.slice(2, -2)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}
