/** The engine's public surface, for the training worker, the CLI and benchmarks. */
export { selectBackend, backendOrder } from './backend';
export type { BackendLoader, SelectedBackend } from './backend';
export { defaultLoaders } from './backendLoaders';
export { runExperiment } from './run/runExperiment';
export type { RunOptions, RunOutcome } from './run/runExperiment';
export { markFailed } from './run/markFailed';
export { DataError } from './data/dataset';
export { aggregateRows, resultsCsv } from './run/results';
export { transferMetrics, accuracy, macroF1, mean, std } from './eval/metrics';
