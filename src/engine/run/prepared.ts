import type { TaskData } from '../data/dataset';

/** A task's data with its frozen stem features computed once (row-major, backbone width). */
export interface PreparedTask {
  readonly data: TaskData;
  readonly train: Float32Array;
  readonly val: Float32Array;
  readonly test: Float32Array;
}
