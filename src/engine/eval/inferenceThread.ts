import { GradientHelper } from '../kernels/gradientHelper';
import type { NetRecipe } from '../kernels/gradientProtocol';

/** The recipe of an inference net (gradientProtocol.ts). */
export type ComposedRecipe = Extract<NetRecipe, { kind: 'composed' }>;

/**
 * A helper thread that predicts half of each batch beside the engine's thread, for one evaluation:
 * `InferenceThread.during` scopes it to the evaluation and disposes it when the evaluation ends. One wasm instance computes on one core (FACTS.md); with a token
 * backbone every example is an encoder pass, so the second core halves the wall clock's compute.
 * The thread builds its net from the recipe it is given and again whenever the recipe changes (a new
 * net in the engine: other modules, or changed variables).
 */
export class InferenceThread {
  private helper: GradientHelper | undefined;
  private recipe: ComposedRecipe | undefined;
  private broken = false;
  private shared = 0;

  constructor(private readonly script: string) {}

  /**
   * Runs `evaluate` with a thread for `script` (the run's gradient-thread script, which exists only
   * with the kernels and a second thread) and ends the thread when `evaluate` ends.
   */
  static async during<T>(
    script: string | undefined,
    evaluate: (thread: InferenceThread | undefined) => Promise<T>,
  ): Promise<T> {
    const thread = script !== undefined ? new InferenceThread(script) : undefined;
    try {
      return await evaluate(thread);
    } finally {
      thread?.dispose();
    }
  }

  /** The helper with a net built from `recipe`, or undefined when the thread cannot help. */
  async helperFor(recipe: ComposedRecipe): Promise<GradientHelper | undefined> {
    if (this.broken) return undefined;
    if (this.helper !== undefined && this.recipe === recipe) return this.helper;
    this.helper?.dispose();
    this.helper = await GradientHelper.start(this.script, recipe);
    this.recipe = recipe;
    if (this.helper === undefined) this.broken = true;
    return this.helper;
  }

  /** Counts a batch whose second half the thread predicted. */
  countShared(): void {
    this.shared++;
  }

  /** How many batches the thread shared (benchmarks and tests read it). */
  get sharedBatches(): number {
    return this.shared;
  }

  /** After a failed request: the rest of the evaluation predicts on the engine's thread alone. */
  fail(): void {
    this.broken = true;
    this.dispose();
  }

  dispose(): void {
    this.helper?.dispose();
    this.helper = undefined;
    this.recipe = undefined;
  }
}
