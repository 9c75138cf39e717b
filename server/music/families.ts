/**
 * The five instrument families of a multitrack loop (LPD-5 / MuseGAN) and how a General MIDI program maps to one.
 *
 * LPD-5 rule (Dong et al. 2018): drums = anything on MIDI channel 10; bass = programs 32-39; piano = 0-7;
 * guitar = 24-31; strings = 40-51. The rest of General MIDI is mapped by a documented rule of our own so that
 * real songs lose as little as possible (see `familyOfProgram`).
 */
export const TRACK_FAMILIES = ['drums', 'bass', 'piano', 'guitar', 'strings'] as const;
export type TrackFamily = (typeof TRACK_FAMILIES)[number];

/** Number of tracks in a roll (the channels-last axis). */
export const TRACK_COUNT = TRACK_FAMILIES.length;

/** Default General MIDI program per family when writing MIDI (drums: program 0 = standard kit on channel 10). */
export const DEFAULT_PROGRAMS: Readonly<Record<TrackFamily, number>> = {
  drums: 0,
  bass: 33, // Electric Bass (finger)
  piano: 0, // Acoustic Grand Piano
  guitar: 25, // Acoustic Guitar (steel)
  strings: 48, // String Ensemble 1
};

/** Zero-based MIDI channel that General MIDI reserves for drums ("channel 10"). */
export const DRUM_CHANNEL = 9;

export function trackIndexOf(family: TrackFamily): number {
  return TRACK_FAMILIES.indexOf(family);
}

export function isTrackFamily(name: string): name is TrackFamily {
  return (TRACK_FAMILIES as readonly string[]).includes(name);
}

/**
 * The family a MIDI track belongs to, or null when it is dropped.
 *
 *   channel 10 (isDrum)            -> drums            (LPD-5)
 *   0-7 piano                      -> piano            (LPD-5)
 *   8-15 chromatic perc., 16-23 organ -> piano         keys and mallets play chords/lines like a piano
 *   24-31 guitar                   -> guitar           (LPD-5)
 *   32-39 bass                     -> bass             (LPD-5)
 *   40-47 strings, 48-51 ensembles -> strings          (LPD-5)
 *   52-55 choir/voice/orch. hit    -> strings          sustained ensemble voices
 *   56-79 brass, reed, pipe        -> strings          melodic or sustained lines: MuseGAN's "strings" is the
 *                                                      catch-all melody/pad track
 *   80-87 synth lead               -> strings          melodic lines
 *   88-95 synth pad                -> strings          pads
 *   96-103 synth effects           -> strings          mostly pad-like
 *   104-107 sitar, banjo, shamisen, koto -> guitar     plucked strings
 *   108 kalimba                    -> piano            struck keys
 *   109-111 bagpipe, fiddle, shanai -> strings
 *   112-127 percussive and sound effects -> null       pitches there are sounds, not notes; dropped
 */
export function familyOfProgram(program: number, isDrum: boolean): TrackFamily | null {
  if (isDrum) return 'drums';
  if (!Number.isInteger(program) || program < 0 || program > 127) return null;
  if (program <= 23) return 'piano';
  if (program <= 31) return 'guitar';
  if (program <= 39) return 'bass';
  if (program <= 103) return 'strings';
  if (program <= 107) return 'guitar';
  if (program === 108) return 'piano';
  if (program <= 111) return 'strings';
  return null;
}
