/**
 * The bundled TensorFlow.js: tfjs-core with its gradients and the cpu and wasm backends. Imported
 * statically so bundlers and the test runner resolve one tfjs-core; the gradients live in a separate
 * entry of tfjs-core (the umbrella @tensorflow/tfjs would register them, with much else we do not need).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { version_cpu as cpuVersion } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// Referencing an export keeps the cpu backend's registration in bundles (its package marks the
// entry as free of side effects, so a bare import is dropped).
export const bundledBackends = { cpu: cpuVersion };
export { tf, setWasmPaths };
