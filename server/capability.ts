// What every capability's index.ts gives main.ts: its routes and how to stop it (timers, workers, listeners).
// Part of the platform: the platform's own parts with routes (auth/, audit/) give the same.
import type { RouteDef } from './http/route.js';

export interface Capability {
  routes: RouteDef[];
  stop(): Promise<void>;
}

/** Stops a list of parts in reverse start order; one failing step does not keep the others running. */
export async function stopInReverse(steps: Array<() => Promise<unknown>>, onError: (e: unknown) => void): Promise<void> {
  for (const s of steps.splice(0).reverse()) await s().catch(onError);
}
