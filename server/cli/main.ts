import { Command, CommanderError } from 'commander';
import { StudioError, describeThrown } from '../util/errors.js';
import { registerDoctor } from './doctor.js';
import { registerDataLoops } from './data-loops.js';
import { registerDataNotes } from './data-notes.js';
import { registerEvalLoops } from './eval-loops.js';
import { registerServe } from './serve.js';
import { registerTrainNotes } from './train-notes.js';
import { registerGenerateNote } from './generate-note.js';
import { registerEvalNotes } from './eval-notes.js';
import { registerTrainLoops } from './train-loops.js';
import { registerGenerateLoop } from './generate-loop.js';
import { registerGenerateLoops } from './generate-loops.js';
import { registerWorker } from './worker.js';
import { registerCalibrateLoops } from './calibrate-loops.js';
import { readPackageVersion } from '../util/version.js';

/** The `studio` command line. Each command lives in its own module under server/cli/ and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('studio')
    .description('Music-generation studio: train and play GANSynth-style note models and MuseGAN-style loop models')
    .version(readPackageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerDoctor(program);
  registerDataLoops(program);
  registerDataNotes(program);
  registerEvalLoops(program);
  registerServe(program);
  registerTrainNotes(program);
  registerGenerateNote(program);
  registerEvalNotes(program);
  registerTrainLoops(program);
  registerGenerateLoop(program);
  registerGenerateLoops(program);
  registerCalibrateLoops(program);
  registerWorker(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode;
    }
    if (err instanceof StudioError) {
      console.error(`studio: ${err.message}`);
      return err.code === 'INTERNAL' ? 70 : 2;
    }
    console.error(`studio: unexpected error: ${describeThrown(err)}`);
    if (err instanceof Error && err.stack && process.env.STUDIO_DEBUG) console.error(err.stack);
    return 70;
  }
}
