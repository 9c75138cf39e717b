import { loopGan } from './loop.js';
import { noteGan } from './note.js';
import type { ReferenceGan } from './types.js';

export const REFERENCE_GANS: Record<'note' | 'loop', ReferenceGan> = { note: noteGan, loop: loopGan };
export { GanTrainer, type TrainerOptions } from './trainer.js';
export { NET_VARIANT_DEFAULTS, type NetVariant, type ReferenceGan } from './types.js';
