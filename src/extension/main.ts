// Entry point: wiring only. Everything with a lifetime lives in the Ctx, which owns the cleanup.
import type * as vscode from 'vscode';
import type { L2rApi } from './api';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): L2rApi {
  const started = performance.now();
  ctx = new Ctx(context);
  ctx.start();
  // Activation cost, reported so it stays visible: nothing heavy loads here (no TF.js, no language core).
  ctx.log.info(`activated in ${Math.round(performance.now() - started)} ms`);
  return ctx.api();
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
