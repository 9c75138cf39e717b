// wavefile ships a CommonJS build ("main") and an ES module ("module"); depending on the loader (node, tsx,
// a bundler) either one is picked, and only the CommonJS one has a default export. Take the class from whichever.
import * as wavefileModule from 'wavefile';

type WaveFileClass = typeof wavefileModule.WaveFile;
const loaded = wavefileModule as unknown as { WaveFile?: WaveFileClass; default?: { WaveFile: WaveFileClass } };

export const WaveFile: WaveFileClass = loaded.WaveFile ?? loaded.default!.WaveFile;
export type WaveFile = InstanceType<WaveFileClass>;
