import type { Command } from 'commander';

const GROUP_DESCRIPTIONS: Record<string, string> = {
  data: 'build or import training datasets (notes, loops)',
  train: 'train a model (notes, loops)',
  generate: 'generate notes, instruments or loops from a trained model',
  eval: 'measure a dataset or a model (JSON)',
  calibrate: "fit a trained model's generation settings to its training data",
};

/**
 * Returns the parent command `name` (e.g. `data`, `train`), creating it once, so that each feature module
 * can attach its own subcommand (`studio data notes`, `studio data loops`) without knowing the others.
 */
export function commandGroup(program: Command, name: keyof typeof GROUP_DESCRIPTIONS | string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(GROUP_DESCRIPTIONS[name] ?? name);
}
