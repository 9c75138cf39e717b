/**
 * A note model's instruments (its timbre classes, capabilities.instruments) as the page shows them. Class names come
 * from the training data's labels: `<family>_<font>_<GM program>` for the studio's SoundFont datasets
 * (`mallet_msgl_012`, `synth_lead_msgl_081`), NSynth's `<family>_<source>_<number>`, or a bare family. Pure.
 */
import type { ModelSummary } from '../../../server/protocol.js';

/** The instruments a model offers (none when it was trained without timbre classes). */
export function modelInstruments(model: ModelSummary | undefined): string[] {
  const value = model?.capabilities.instruments;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : [];
}

const LABELLED = /^(.+?)_([A-Za-z0-9]+)_(\d{1,3})$/;

/**
 * Display labels for `names`, in the same order: `mallet_msgl_012` -> "mallet 012", `synth_lead_msgl_081` ->
 * "synth lead 081"; the font is added, "keyboard 000 (fluid)", only where two names would otherwise read the same;
 * anything else with "_" as spaces.
 */
export function instrumentLabels(names: readonly string[]): string[] {
  const parts = names.map((name) => {
    const match = LABELLED.exec(name);
    return match ? { short: `${spaced(match[1]!)} ${match[3]!}`, font: match[2]! } : { short: spaced(name), font: null };
  });
  const counts = new Map<string, number>();
  for (const p of parts) counts.set(p.short, (counts.get(p.short) ?? 0) + 1);
  const labels = parts.map((p) => (counts.get(p.short)! > 1 && p.font ? `${p.short} (${p.font})` : p.short));
  // Still equal (odd labels): fall back to the exact names for those.
  return labels.map((label, i) => (labels.indexOf(label) !== labels.lastIndexOf(label) ? names[i]! : label));
}

/** One instrument's label (without the others to tell it apart from). */
export function instrumentLabel(name: string): string {
  return instrumentLabels([name])[0]!;
}

function spaced(text: string): string {
  return text.replace(/_+/g, ' ').trim() || text;
}
