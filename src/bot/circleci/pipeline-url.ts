/** The CircleCI web page of a pipeline, for links in the PR; null when its number is unknown. */
export function pipelineUrl(slug: string, pipelineNumber: number | null): string | null {
  if (pipelineNumber === null) return null;
  const [vcs = "", ...rest] = slug.split("/");
  const vcsPath = { gh: "github", bb: "bitbucket" }[vcs] ?? vcs;
  return `https://app.circleci.com/pipelines/${[vcsPath, ...rest].map(encodeURIComponent).join("/")}/${pipelineNumber}`;
}
