// The note dataset: build (render from a SoundFont), import (NSynth / WAV folders), read (manifest + audio).
export { buildNoteDataset, defaultNoteDatasetDir, noteDatasetDefaults, DEFAULT_NOTE_PROGRAMS } from './build.js';
export type { NoteDatasetOptions, NoteDatasetSummary, NoteLevelling, SkippedNote } from './build.js';
export { importNoteFolder, noteImportDefaults } from './import.js';
export type { NoteImportOptions, NoteImportSummary, SkippedFile } from './import.js';
export { readNoteManifest, loadNoteAudio, manifestText, MANIFEST_FILE } from './manifest.js';
export type { NoteExample, PitchSource } from './manifest.js';
export { NSYNTH_FAMILIES, NSYNTH_SOURCES, GM_PROGRAM_NAMES, familyOfProgram, sourceOfProgram } from './families.js';
export { resolveSoundFont, builtinSoundFontNames, DEFAULT_SOUND_FONT } from './fonts.js';
