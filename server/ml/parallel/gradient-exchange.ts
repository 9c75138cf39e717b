/**
 * All-reduce of gradients between data-parallel replicas on one machine: every replica writes its gradients
 * into its own slot of a SharedArrayBuffer, then every replica sums all slots in the same order, so all of
 * them get bit-identical averages and their parameters stay in lockstep.
 */
import { tf } from '../tf.js';
import { SharedBarrier } from './barrier.js';

export interface ExchangeBuffers {
  barrier: SharedArrayBuffer;
  /** parties x slotFloats float32 values. */
  slots: SharedArrayBuffer;
  slotFloats: number;
}

export function allocateExchange(parties: number, slotFloats: number): ExchangeBuffers {
  return { barrier: SharedBarrier.allocate(), slots: new SharedArrayBuffer(parties * slotFloats * 4), slotFloats };
}

export class GradientExchange {
  private readonly barrier: SharedBarrier;
  private readonly slots: Float32Array[];

  /** Call on failure so that peers blocked in `average` throw instead of waiting forever. */
  abort(): void {
    this.barrier.abort();
  }

  constructor(buffers: ExchangeBuffers, readonly rank: number, readonly parties: number) {
    this.barrier = new SharedBarrier(buffers.barrier, parties);
    this.slots = Array.from({ length: parties }, (_, r) => new Float32Array(buffers.slots, r * buffers.slotFloats * 4, buffers.slotFloats));
  }

  /**
   * The mean over replicas of `grads` (same names and shapes on every replica), as new tensors; `grads` stays the
   * caller's. Also averages `extras` (e.g. losses) the same way.
   */
  average(grads: tf.NamedTensorMap, extras: number[] = []): { grads: tf.NamedTensorMap; extras: number[] } {
    const names = Object.keys(grads).sort();
    const sizes = names.map((n) => grads[n]!.size);
    const total = sizes.reduce((a, b) => a + b, 0) + extras.length;
    if (total > this.slots[0]!.length) throw new RangeError(`gradient exchange: ${total} floats exceed the slot of ${this.slots[0]!.length}`);
    const mine = this.slots[this.rank]!;
    let offset = 0;
    for (const name of names) {
      mine.set(grads[name]!.dataSync() as Float32Array, offset);
      offset += grads[name]!.size;
    }
    mine.set(extras, offset);
    this.barrier.arrive();
    const sum = new Float32Array(total);
    for (const slot of this.slots) for (let i = 0; i < total; i++) sum[i]! += slot[i]!;
    const scale = 1 / this.parties;
    for (let i = 0; i < total; i++) sum[i]! *= scale;
    // Nobody may overwrite its slot before everyone has read them all.
    this.barrier.arrive();
    const out: tf.NamedTensorMap = {};
    offset = 0;
    names.forEach((name, i) => {
      out[name] = tf.tensor(sum.subarray(offset, offset + sizes[i]!), grads[name]!.shape, 'float32');
      offset += sizes[i]!;
    });
    return { grads: out, extras: Array.from(sum.subarray(offset, offset + extras.length)) };
  }
}
