/**
 * The header's view of the server: connection state (connecting / connected / offline / refused), backend,
 * version, models and jobs from GET /api/health, refreshed every few seconds while connected. A refused connection
 * (a server that needs a token) offers a token field.
 */
import { h, replaceChildren } from '../dom/h.js';
import type { ConnectionState, StudioConnection } from '../net/studio-connection.js';
import { TOKEN_STORAGE_KEY } from './token.js';

interface Health {
  status: string;
  backend: string | null;
  version: string;
  models: { id: string; kind: string }[];
  problems?: { path: string; message: string }[];
  jobs?: { queued: number; running: number };
}

const HEALTH_EVERY_MS = 5_000;

export class StatusBar {
  private readonly pill: HTMLElement;
  private readonly details: HTMLElement;
  private timer: number | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly connection: StudioConnection,
  ) {
    this.pill = h('span', { class: 'pill', id: 'connection-state', role: 'status', 'aria-live': 'polite' });
    this.details = h('span', { class: 'server-details', id: 'server-details' });
    replaceChildren(root, this.pill, this.details);
    connection.onState((state) => this.show(state));
  }

  private show(state: ConnectionState): void {
    this.pill.dataset.state = state.kind;
    this.pill.textContent = { connecting: 'Connecting…', connected: 'Connected', offline: 'Offline', refused: 'Refused' }[state.kind];
    this.pill.title = state.kind === 'offline' || state.kind === 'refused' ? state.reason : `Connected to ${location.host}`;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (state.kind === 'connected') {
      void this.refreshHealth();
      this.timer = window.setInterval(() => void this.refreshHealth(), HEALTH_EVERY_MS);
    } else if (state.kind === 'refused') {
      replaceChildren(this.details, h('span', { class: 'problem' }, state.reason), this.tokenForm());
    } else if (state.kind === 'offline') {
      replaceChildren(this.details, h('span', { class: 'problem' }, state.reason));
    }
  }

  /** Fetches the server's figures now (after something changed them: a job ended, a model appeared). */
  refresh(): void {
    if (this.connection.connected) void this.refreshHealth();
  }

  private async refreshHealth(): Promise<void> {
    try {
      const response = await fetch('/api/health', { headers: this.connection.authHeaders() });
      if (!response.ok) throw new Error(`health check answered ${response.status}`);
      const health = (await response.json()) as Health;
      const notes = health.models.filter((m) => m.kind === 'notes').length;
      const loops = health.models.filter((m) => m.kind === 'loops').length;
      const jobs = health.jobs ? `${health.jobs.running} job${health.jobs.running === 1 ? '' : 's'} running, ${health.jobs.queued} queued` : '';
      const problems = health.problems?.length ?? 0;
      replaceChildren(
        this.details,
        h('span', {}, `Studio ${health.version}`),
        h('span', {}, `backend ${health.backend ?? 'starting'}`),
        h('span', { id: 'model-counts' }, `${notes} note model${notes === 1 ? '' : 's'}, ${loops} loop model${loops === 1 ? '' : 's'}`),
        jobs ? h('span', {}, jobs) : null,
        problems ? h('span', { class: 'problem', title: health.problems!.map((p) => `${p.path}: ${p.message}`).join('\n') }, `${problems} model problem${problems === 1 ? '' : 's'}`) : null,
      );
    } catch (err) {
      replaceChildren(this.details, h('span', { class: 'problem' }, `health check failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  private tokenForm(): HTMLElement {
    const input = h('input', { type: 'password', placeholder: 'server token', 'aria-label': 'Server token', autocomplete: 'off' });
    const form = h('form', { class: 'token-form' }, input, h('button', { type: 'submit' }, 'Connect'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!input.value) return;
      sessionStorage.setItem(TOKEN_STORAGE_KEY, input.value);
      location.reload();
    });
    return form;
  }
}
