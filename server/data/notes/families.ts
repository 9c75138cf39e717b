// NSynth's instrument families and sources, and where each General MIDI program falls among them.
import { StudioError } from '../../util/errors.js';

/** NSynth's 11 families, in NSynth's id order (instrument_family = index). */
export const NSYNTH_FAMILIES = [
  'bass',
  'brass',
  'flute',
  'guitar',
  'keyboard',
  'mallet',
  'organ',
  'reed',
  'string',
  'synth_lead',
  'vocal',
] as const;
export type NSynthFamily = (typeof NSYNTH_FAMILIES)[number];

/** NSynth's sources (instrument_source = index). */
export const NSYNTH_SOURCES = ['acoustic', 'electronic', 'synthetic'] as const;
export type NSynthSource = (typeof NSYNTH_SOURCES)[number];

/** General MIDI level 1 program names, 0-based, file-name safe. */
export const GM_PROGRAM_NAMES: readonly string[] = (
  'acoustic_grand_piano bright_acoustic_piano electric_grand_piano honky_tonk_piano electric_piano_1 electric_piano_2 ' +
  'harpsichord clavinet celesta glockenspiel music_box vibraphone marimba xylophone tubular_bells dulcimer ' +
  'drawbar_organ percussive_organ rock_organ church_organ reed_organ accordion harmonica tango_accordion ' +
  'acoustic_guitar_nylon acoustic_guitar_steel electric_guitar_jazz electric_guitar_clean electric_guitar_muted ' +
  'overdriven_guitar distortion_guitar guitar_harmonics acoustic_bass electric_bass_finger electric_bass_pick ' +
  'fretless_bass slap_bass_1 slap_bass_2 synth_bass_1 synth_bass_2 violin viola cello contrabass tremolo_strings ' +
  'pizzicato_strings orchestral_harp timpani string_ensemble_1 string_ensemble_2 synth_strings_1 synth_strings_2 ' +
  'choir_aahs voice_oohs synth_voice orchestra_hit trumpet trombone tuba muted_trumpet french_horn brass_section ' +
  'synth_brass_1 synth_brass_2 soprano_sax alto_sax tenor_sax baritone_sax oboe english_horn bassoon clarinet ' +
  'piccolo flute recorder pan_flute blown_bottle shakuhachi whistle ocarina lead_square lead_sawtooth ' +
  'lead_calliope lead_chiff lead_charang lead_voice lead_fifths lead_bass_lead pad_new_age pad_warm pad_polysynth ' +
  'pad_choir pad_bowed pad_metallic pad_halo pad_sweep fx_rain fx_soundtrack fx_crystal fx_atmosphere ' +
  'fx_brightness fx_goblins fx_echoes fx_sci_fi sitar banjo shamisen koto kalimba bagpipe fiddle shanai ' +
  'tinkle_bell agogo steel_drums woodblock taiko_drum melodic_tom synth_drum reverse_cymbal guitar_fret_noise ' +
  'breath_noise seashore bird_tweet telephone_ring helicopter applause gunshot'
).split(' ');

function checkProgram(program: number): void {
  if (!Number.isInteger(program) || program < 0 || program > 127) throw new StudioError('BAD_INPUT', `GM program ${program} is not in 0..127`);
}

/** NSynth family of a GM program (the closest one: NSynth has no pads or effects, they count as synth_lead). */
export function familyOfProgram(program: number): NSynthFamily {
  checkProgram(program);
  const special: Record<number, NSynthFamily> = {
    46: 'string', // harp
    47: 'mallet', // timpani
    52: 'vocal',
    53: 'vocal',
    54: 'vocal',
    55: 'brass', // orchestra hit
    104: 'guitar', // sitar
    105: 'guitar', // banjo
    106: 'string', // shamisen
    107: 'string', // koto
    108: 'mallet', // kalimba
    109: 'reed', // bagpipe
    110: 'string', // fiddle
    111: 'reed', // shanai
  };
  if (special[program]) return special[program]!;
  const byGroup: NSynthFamily[] = [
    'keyboard', // 0-7 pianos
    'mallet', // 8-15 chromatic percussion
    'organ', // 16-23
    'guitar', // 24-31
    'bass', // 32-39
    'string', // 40-47
    'string', // 48-55 ensembles
    'brass', // 56-63
    'reed', // 64-71
    'flute', // 72-79 pipes
    'synth_lead', // 80-87
    'synth_lead', // 88-95 pads
    'synth_lead', // 96-103 effects
    'guitar', // 104-111 ethnic (overridden above)
    'mallet', // 112-119 percussive
    'synth_lead', // 120-127 sound effects
  ];
  return byGroup[program >> 3]!;
}

/** NSynth source of a GM program: sampled acoustic instruments, electric ones, or synthesizers. */
export function sourceOfProgram(program: number): NSynthSource {
  checkProgram(program);
  const electronic = [2, 4, 5, 16, 17, 18, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37];
  const synthetic = [38, 39, 50, 51, 54, 55, 62, 63];
  if (electronic.includes(program)) return 'electronic';
  if (synthetic.includes(program) || (program >= 80 && program <= 103) || program >= 120) return 'synthetic';
  return 'acoustic';
}
