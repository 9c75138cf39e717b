/**
 * Per-item outcomes for batched work: one request's bad input must fail that request only, never the others that
 * happened to share its forward pass.
 */
import { StudioError, describeThrown } from '../util/errors.js';
import type { ErrorBody } from '../protocol.js';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** A StudioError passes as is (the user's to fix); anything else is an internal failure, described. */
export function errorBodyOf(err: unknown): ErrorBody {
  if (err instanceof StudioError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: `inference failed: ${describeThrown(err)}` };
}

/**
 * Prepares each item on its own (a failure there fails that item), runs the prepared ones as one batch, and if the
 * batch as a whole throws, runs them one by one so that only the items at fault fail. Results keep item order.
 */
export function settleEach<Item, Prepared, Result>(
  items: readonly Item[],
  prepare: (item: Item) => Prepared,
  run: (prepared: Prepared[]) => Result[],
): Settled<Result>[] {
  const out = new Array<Settled<Result>>(items.length);
  const ready: { index: number; prepared: Prepared }[] = [];
  items.forEach((item, index) => {
    try {
      ready.push({ index, prepared: prepare(item) });
    } catch (err) {
      out[index] = { ok: false, error: errorBodyOf(err) };
    }
  });
  if (ready.length === 0) return out;
  try {
    const results = run(ready.map((r) => r.prepared));
    ready.forEach((r, k) => (out[r.index] = { ok: true, value: results[k]! }));
  } catch (err) {
    if (ready.length === 1) out[ready[0]!.index] = { ok: false, error: errorBodyOf(err) };
    else {
      for (const r of ready) {
        try {
          out[r.index] = { ok: true, value: run([r.prepared])[0]! };
        } catch (single) {
          out[r.index] = { ok: false, error: errorBodyOf(single) };
        }
      }
    }
  }
  return out;
}
