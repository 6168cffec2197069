import type { BackendName, KernelChoice } from '../../protocol/spec';
import { kernelsSupported } from './module';

/** How a training or prediction call uses the kernels. */
export interface KernelOptions {
  /** Compute on the kernels where the backbone allows (see useKernels). */
  readonly kernels?: boolean;
  /** Told when the kernels could not take a job (it then runs on TF.js, with the same result). */
  readonly onFallback?: (reason: string) => void;
  /** The data-parallel helper thread's script (see AdapterThreadPaths.gradientScript); absent: one core. */
  readonly gradientThread?: string;
}

/**
 * Whether to use the kernels. They run on one core in plain WebAssembly, so they replace TF.js only
 * on the backends that are themselves WebAssembly or JavaScript on one core (wasm, cpu): there they
 * are 5-6x faster (docs/BENCHMARKS.md). A native backend (node, gpu) keeps TF.js, whose kernels use
 * every core or the GPU.
 */
export function useKernels(
  choice: KernelChoice,
  backend: BackendName,
  supported: () => boolean = kernelsSupported,
): boolean {
  return choice === 'auto' && (backend === 'wasm' || backend === 'cpu') && supported();
}
