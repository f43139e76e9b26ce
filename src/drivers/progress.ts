/** One line of progress from a long step; the CLI prints these on stderr. */
export interface ProgressEvent {
  phase: string;
  message: string;
}

export type Progress = (event: ProgressEvent) => void;

export const silentProgress: Progress = () => undefined;
