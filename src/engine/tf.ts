/**
 * The TensorFlow.js namespace the engine computes with. It is injected rather than imported,
 * because a native backend (@tensorflow/tfjs-node / -gpu) registers itself in the tfjs-core
 * instance it brings along: the engine must use that instance's namespace, not the bundled one.
 */
import type * as tfc from '@tensorflow/tfjs-core';

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;
export type Tensor1D = tfc.Tensor1D;
export type Tensor2D = tfc.Tensor2D;
export type Tensor3D = tfc.Tensor3D;
export type Variable = tfc.Variable;
export type Scalar = tfc.Scalar;
