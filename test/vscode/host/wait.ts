import type * as vscode from 'vscode';

/**
 * Resolves with the first value `check` returns (not undefined) right away or after one of the
 * `events` fires: a wait on a condition, never a sleep. The deadline turns a hang into a message.
 */
export function waitFor<T>(
  what: string,
  events: readonly vscode.Event<unknown>[],
  check: () => T | undefined,
  timeoutMs = 120_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    const finish = (settle: () => void): void => {
      clearTimeout(deadline);
      for (const s of subscriptions) s.dispose();
      settle();
    };
    const test = (): void => {
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
        return;
      }
      if (value !== undefined) finish(() => resolve(value));
    };
    const deadline = setTimeout(
      () => finish(() => reject(new Error(`timed out waiting for ${what}`))),
      timeoutMs,
    );
    for (const event of events) subscriptions.push(event(test));
    test();
  });
}
