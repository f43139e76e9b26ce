/** Everything a command prints on stdout goes through here: a report for people, or JSON. */
export function printOutput(output: { json: boolean; text: () => string; data: unknown }): void {
  process.stdout.write(output.json ? `${JSON.stringify(output.data, null, 2)}\n` : `${output.text()}\n`);
}
