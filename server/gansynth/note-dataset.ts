/** A note dataset in memory, as the trainer and the evaluator use it: IF-Mel images with their MIDI pitches. */
export interface TrainingDataSummary {
  dir: string;
  /** Notes used. */
  count: number;
  /** Notes left out, with the reason (bad file, pitch outside the model's range...). */
  skipped: { file: string; reason: string }[];
  midiPitchRange: [number, number];
  instruments: number;
  /** sha256 of the manifest, so a resumed run can tell the data changed. */
  manifestSha256: string;
}

export interface NoteImageSet {
  /** One [frames][melBins][2] IF-Mel image per note. */
  images: Float32Array[];
  midiPitches: number[];
  /** Instrument name per note (groups notes for diversity checks and splits). */
  instruments: string[];
  /** Instrument family name per note (timbre classes of data with too many instruments, e.g. NSynth). */
  families: string[];
  summary: TrainingDataSummary;
}
