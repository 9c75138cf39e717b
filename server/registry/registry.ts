/**
 * The model registry: every model folder under the models directories, by id (the folder's name).
 *
 * A request names a model by id only; the registry maps ids it found on disk to folders, so no request string is
 * ever joined into a path. Bad folders are listed as problems and never hide the good ones.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readModelSummary, type ModelKind } from '../checkpoints/folder.js';
import { isModelId } from '../checkpoints/resolve.js';
import { StudioError, describeThrown } from '../util/errors.js';
import type { ModelSummary } from '../protocol.js';

export interface RegistryEntry {
  id: string;
  kind: ModelKind;
  /** The model folder (absolute). */
  dir: string;
  spec: unknown;
  summary: ModelSummary;
}

export interface RegistryProblem {
  /** The folder (or models directory) at fault. */
  path: string;
  message: string;
}

export interface ModelRegistryOptions {
  /** Folders holding model folders, searched in order; the first folder with an id wins. */
  dirs: string[];
}

/** Spec fields a client may want to know before it asks for something (copied when present). */
const CAPABILITY_KEYS = [
  'sampleRate', 'latentSize', 'noteSeconds', 'seconds', 'midiPitchMin', 'midiPitchMax', 'pitchCount',
  'lowestPitch', 'bars', 'stepsPerBar', 'beatsPerBar', 'tracks', 'trackNames', 'design',
] as const;

export class ModelRegistry {
  private readonly dirs: string[];
  private entries = new Map<string, RegistryEntry>();
  private scanProblems: RegistryProblem[] = [];
  private scanning: Promise<void> | null = null;
  private lastScanAt = 0;

  constructor(options: ModelRegistryOptions) {
    this.dirs = options.dirs.map((d) => path.resolve(d));
  }

  /** Re-reads every models directory. Concurrent calls share one scan. */
  scan(): Promise<void> {
    this.scanning ??= this.scanAll().finally(() => {
      this.scanning = null;
      this.lastScanAt = Date.now();
    });
    return this.scanning;
  }

  /**
   * Like `get`, but an id not seen yet (a model a training job has just written) triggers one rescan first.
   * Rescans for misses happen at most once per `minRescanMs`, so unknown ids cannot keep the disk busy.
   */
  async find(id: string, kind?: ModelKind, minRescanMs = 1000): Promise<RegistryEntry> {
    if (typeof id === 'string' && isModelId(id) && !this.entries.has(id) && Date.now() - this.lastScanAt >= minRescanMs) await this.scan();
    return this.get(id, kind);
  }

  /** `resolve` with `find`'s rescan on a miss. */
  async findOrDefault(id: string | undefined, kind: ModelKind): Promise<RegistryEntry> {
    return id === undefined ? this.defaultFor(kind) : this.find(id, kind);
  }

  list(): ModelSummary[] {
    return [...this.entries.values()].map((e) => e.summary);
  }

  get problems(): RegistryProblem[] {
    return [...this.scanProblems];
  }

  /** The model with this id, of this kind when given; NOT_FOUND for anything else (including path-like strings). */
  get(id: string, kind?: ModelKind): RegistryEntry {
    const entry = typeof id === 'string' && isModelId(id) ? this.entries.get(id) : undefined;
    if (!entry) {
      const known = this.list().filter((m) => !kind || m.kind === kind).map((m) => m.id);
      throw new StudioError('NOT_FOUND', `unknown model "${String(id).slice(0, 80)}"; known${kind ? ` ${kind}` : ''} models: ${known.join(', ') || 'none'}`);
    }
    if (kind && entry.kind !== kind) {
      throw new StudioError('BAD_INPUT', `model "${id}" is a ${entry.kind} model, not a ${kind} model`);
    }
    return entry;
  }

  /** The model a request without an id gets: `<kind>-default` if present, else the first of that kind. */
  defaultFor(kind: ModelKind): RegistryEntry {
    const preferred = this.entries.get(`${kind}-default`);
    if (preferred?.kind === kind) return preferred;
    const first = [...this.entries.values()].find((e) => e.kind === kind);
    if (!first) {
      throw new StudioError('UNAVAILABLE', `no ${kind} model is installed; train one (studio train ${kind}) or put a model folder under ${this.dirs[0] ?? 'models/'}`);
    }
    return first;
  }

  resolve(id: string | undefined, kind: ModelKind): RegistryEntry {
    return id === undefined ? this.defaultFor(kind) : this.get(id, kind);
  }

  private async scanAll(): Promise<void> {
    const entries = new Map<string, RegistryEntry>();
    const problems: RegistryProblem[] = [];
    for (const dir of this.dirs) {
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push({ path: dir, message: code === 'ENOENT' ? 'models directory does not exist' : `cannot read: ${describeThrown(err)}` });
        continue;
      }
      for (const id of modelIdsIn(names)) {
        const folder = path.join(dir, id);
        if (entries.has(id)) {
          problems.push({ path: folder, message: `id "${id}" is already taken by ${entries.get(id)!.dir}; this folder is ignored` });
          continue;
        }
        try {
          entries.set(id, await readEntry(id, folder));
        } catch (err) {
          // A plain folder without model.json is not a model (e.g. a README folder): only report real damage.
          if (err instanceof StudioError && err.code === 'NOT_FOUND' && !(await looksLikeModel(folder))) continue;
          problems.push({ path: folder, message: describeThrown(err) });
        }
      }
    }
    this.entries = entries;
    this.scanProblems = problems;
  }
}

/**
 * Model ids in a directory listing: visible folder names, plus the names of folders a killed save left only as
 * `.NAME.next` / `.NAME.prev` (readModelSummary finds the complete one).
 */
function modelIdsIn(names: string[]): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    const swap = /^\.(.+)\.(next|prev)$/.exec(name);
    const id = swap ? swap[1]! : name;
    if (!swap && name.startsWith('.')) continue;
    if (isModelId(id)) ids.add(id);
  }
  return [...ids].sort();
}

async function looksLikeModel(folder: string): Promise<boolean> {
  try {
    const names = await fs.readdir(folder);
    return names.includes('metadata.json') || names.includes('spec.json');
  } catch {
    return false;
  }
}

async function readEntry(id: string, dir: string): Promise<RegistryEntry> {
  const { spec, metadata } = await readModelSummary(dir);
  const capabilities: Record<string, unknown> = {};
  if (spec && typeof spec === 'object') {
    // Note specs keep the audio figures in their spectral preset; read both levels.
    const spectral = (spec as { spectral?: unknown }).spectral;
    for (const source of [spectral, spec]) {
      if (!source || typeof source !== 'object') continue;
      for (const key of CAPABILITY_KEYS) {
        const value = (source as Record<string, unknown>)[key];
        if (value !== undefined && (typeof value !== 'object' || Array.isArray(value))) capabilities[key] = value;
      }
    }
    const instruments = instrumentsOf(spec);
    if (instruments) capabilities.instruments = instruments;
  }
  const summary: ModelSummary = {
    id,
    kind: metadata.kind,
    preset: typeof metadata.preset === 'string' ? metadata.preset : 'unknown',
    step: Number.isFinite(metadata.step) ? metadata.step : 0,
    metrics: metadata.metrics && typeof metadata.metrics === 'object' ? metadata.metrics : {},
    updatedAt: typeof metadata.updatedAt === 'string' ? metadata.updatedAt : '',
    capabilities,
  };
  return { id, kind: metadata.kind, dir, spec, summary };
}

/** The instrument names a note model's timbre classes take (spec.timbreClasses.classes), or null when it has none. */
function instrumentsOf(spec: object): string[] | null {
  const timbre = (spec as { timbreClasses?: unknown }).timbreClasses;
  const classes = timbre && typeof timbre === 'object' ? (timbre as { classes?: unknown }).classes : undefined;
  return Array.isArray(classes) && classes.length > 0 && classes.every((c) => typeof c === 'string') ? [...(classes as string[])] : null;
}
