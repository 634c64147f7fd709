/**
 * Calls a caller's callback safely.
 *
 * @module
 */

/**
 * Calls a caller's callback; a callback that throws is reported on stderr, never ends the run.
 *
 * @param callback The callback, if any.
 * @param value What to call it with.
 *
 * @example
 * ```ts
 * import { notify } from "./notify.ts";
 *
 * notify((n: number) => console.log(n), 1);
 * notify(undefined, 2); // nothing to call
 * ```
 */
export function notify<T>(callback: ((value: T) => void) | undefined, value: T): void {
  if (!callback) return;
  try {
    callback(value);
  } catch (error) {
    console.error(`wedge: a progress callback threw (ignored): ${error}`);
  }
}
