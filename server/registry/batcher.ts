/**
 * Collects requests for one model that arrive together and runs them as one batch (one forward pass).
 *
 * A batch starts on the next turn of the event loop after the first request; while `concurrency` batches run, new
 * requests wait and form the next one, so under load batches grow by themselves and idle requests are not delayed
 * by a timer.
 * Interactive requests are taken before bulk ones (an instrument export must not hold up a played note).
 */
export type BatchPriority = 'interactive' | 'bulk';

/** What a batch run gives back for one item: its result, or the error that item alone failed with. */
export type BatchOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

export interface BatcherOptions<Item, Result> {
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches running at once (one per inference thread); default 1. */
  concurrency?: number;
  /** Runs one batch; returns one outcome per item, in order (a rejection fails the whole batch). */
  run: (items: Item[]) => Promise<BatchOutcome<Result>[]>;
}

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class Batcher<Item, Result> {
  private readonly queues: Record<BatchPriority, Pending<Item, Result>[]> = { interactive: [], bulk: [] };
  private running = 0;
  private scheduled = false;
  /** Sizes of the last 1000 batches (for tests and a look at how batching goes). */
  readonly batchSizes: number[] = [];
  /** Since the start: batches run, items in them, milliseconds spent running them; the largest batch of the window. */
  readonly totals = { batches: 0, items: 0, busyMs: 0, windowMax: 0 };

  constructor(private readonly options: BatcherOptions<Item, Result>) {}

  submit(item: Item, priority: BatchPriority = 'interactive'): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queues[priority].push({ item, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queues.interactive.length + this.queues.bulk.length;
  }

  private get full(): boolean {
    return this.running >= (this.options.concurrency ?? 1);
  }

  private schedule(): void {
    if (this.full || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Starts as many batches as there are free slots, sharing the waiting items evenly among them. */
  private flush(): void {
    const concurrency = this.options.concurrency ?? 1;
    while (!this.full && this.pending > 0) {
      const size = Math.min(this.options.maxBatch, Math.ceil(this.pending / (concurrency - this.running)));
      const batch = this.queues.interactive.splice(0, size);
      if (batch.length < size) batch.push(...this.queues.bulk.splice(0, size - batch.length));
      void this.run(batch);
    }
  }

  private async run(batch: Pending<Item, Result>[]): Promise<void> {
    this.running++;
    this.batchSizes.push(batch.length);
    if (this.batchSizes.length > 1000) this.batchSizes.shift();
    this.totals.batches++;
    this.totals.items += batch.length;
    this.totals.windowMax = Math.max(this.totals.windowMax, batch.length);
    const started = performance.now();
    try {
      const results = await this.options.run(batch.map((p) => p.item));
      this.totals.busyMs += performance.now() - started;
      if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => {
        const outcome = results[i]!;
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.running--;
      if (this.pending > 0) this.schedule();
    }
  }
}
