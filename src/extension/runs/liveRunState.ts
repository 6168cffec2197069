/** What the status bar and notifications show about a live run, accumulated from its events. */
export interface LiveRunState {
  readonly runDir: string;
  readonly stream: string;
  backend?: string;
  task?: string;
  taskIndex?: number;
  taskCount?: number;
  phase?: string;
  epoch?: number;
  epochs?: number;
  etaSeconds?: number;
  unitsDone: number;
  totalUnits: number;
}
