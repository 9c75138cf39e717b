/** The server's models, as `models:list` reports them; refreshed on (re)connect and on demand. */
import type { ModelSummary } from '../../../server/protocol.js';
import type { StudioConnection } from '../net/studio-connection.js';

export type ModelKind = ModelSummary['kind'];

export class ModelStore {
  private models: ModelSummary[] = [];
  private loaded = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly connection: StudioConnection) {
    connection.onState((state) => {
      if (state.kind === 'connected') void this.refresh().catch(() => undefined);
    });
  }

  async refresh(): Promise<ModelSummary[]> {
    this.models = await this.connection.request('models:list', {});
    this.loaded = true;
    for (const listener of this.listeners) listener();
    return this.models;
  }

  /** Whether the list has been fetched at least once (an empty list then really means no models). */
  get ready(): boolean {
    return this.loaded;
  }

  of(kind: ModelKind): ModelSummary[] {
    return this.models.filter((m) => m.kind === kind);
  }

  get(id: string): ModelSummary | undefined {
    return this.models.find((m) => m.id === id);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A number from a model's capabilities, if it reports one. */
export function capability(model: ModelSummary | undefined, key: string): number | undefined {
  const value = model?.capabilities[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
