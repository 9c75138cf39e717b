/**
 * The training page: start a note or loop training job with a preset, see every job the server knows, and follow
 * one live (job:subscribe pushes its progress, losses, ETA and previews); cancel it, or resume it from its checkpoint.
 */
import type { JobRequest, JobView } from '../../../server/protocol.js';
import type { StudioContext } from '../app/context.js';
import { loadAudio } from '../audio/audio-loader.js';
import { decodeWav } from '../audio/wav-decode.js';
import { field, h, replaceChildren } from '../dom/h.js';
import { midiToRoll } from '../loops/midi-roll.js';
import { formatDuration, progressFraction } from './figures.js';
import { JobDetail } from './job-detail.js';

const LIST_EVERY_MS = 5000;
/** A model id or dataset name, as the form's `pattern` (browsers compile it with the `v` flag: '-' is escaped). */
const MODEL_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}';

export class TrainingPanel {
  private readonly kind: HTMLSelectElement;
  private readonly modelId: HTMLInputElement;
  private readonly preset: HTMLSelectElement;
  private readonly steps: HTMLInputElement;
  private readonly dataset: HTMLInputElement;
  private readonly resume: HTMLInputElement;
  private readonly startButton: HTMLButtonElement;
  private readonly list: HTMLTableSectionElement;
  private readonly detail: JobDetail;
  private jobs: JobView[] = [];
  private followed: string | null = null;
  private stopPreview: (() => void) | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: StudioContext,
  ) {
    this.kind = h('select', { id: 'train-kind' }, h('option', { value: 'train-notes' }, 'Note model (GANSynth-style)'), h('option', { value: 'train-loops' }, 'Loop model (MuseGAN-style)'));
    this.modelId = h('input', { id: 'train-model', type: 'text', required: true, pattern: MODEL_ID_PATTERN, placeholder: 'e.g. notes-mine', autocomplete: 'off' });
    this.preset = h('select', { id: 'train-preset' }, h('option', { value: 'tiny' }, 'tiny: minutes, for trying things'), h('option', { value: 'lite', selected: true }, 'lite: hours on a laptop'), h('option', { value: 'paper' }, 'paper: the published sizes'));
    this.steps = h('input', { id: 'train-steps', type: 'number', min: '1', step: '1', placeholder: 'default' });
    this.dataset = h('input', { id: 'train-data', type: 'text', pattern: MODEL_ID_PATTERN, placeholder: 'default dataset', autocomplete: 'off' });
    this.resume = h('input', { id: 'train-resume', type: 'checkbox' });
    this.startButton = h('button', { class: 'primary', id: 'start-training', type: 'submit' }, 'Start training');
    this.kind.addEventListener('change', () => this.suggestId());
    this.suggestId();
    const form = h('form', { class: 'toolbar', id: 'training-form' },
      field('What', this.kind),
      field('Model id', this.modelId, 'a folder under models/'),
      field('Preset', this.preset),
      field('Steps', this.steps),
      field('Dataset', this.dataset),
      h('label', { class: 'field check' }, this.resume, h('span', {}, 'Continue this model'), h('small', { class: 'hint' }, 'train an existing model further')),
      h('div', { class: 'field actions' }, this.startButton));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
    this.list = h('tbody', { id: 'job-list' });
    this.detail = new JobDetail({
      cancel: (id) => void this.act('job:cancel', id, 'Cancel job'),
      resume: (id) => void this.act('job:resume', id, 'Resume job'),
      listen: (url, name) => void this.listen(url, name),
    }, (url) => ctx.connection.withToken(url));
    replaceChildren(root, form,
      h('div', { class: 'training-grid' },
        h('section', { class: 'jobs' }, h('h3', {}, 'Jobs'),
          h('table', { class: 'job-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Job'), h('th', {}, 'State'), h('th', {}, 'Progress'), h('th', {}, 'ETA'))), this.list)),
        this.detail.element));

    const push = (job: JobView) => this.updated(job);
    ctx.connection.on('job:progress', push);
    ctx.connection.on('job:done', (job) => {
      push(job);
      if (job.output.model) void ctx.models.refresh().catch(() => undefined);
      ctx.notify.success(`Job ${job.type} → ${job.output.model ?? job.output.dataset ?? job.id} finished.`);
    });
    ctx.connection.on('job:failed', push);
    ctx.connection.onState((state) => {
      if (state.kind !== 'connected') return;
      void this.refresh();
      if (this.followed) void this.follow(this.followed); // a new socket has no subscriptions
    });
    ctx.tabs.onChange((id) => id === root.id && void this.refresh());
    window.setInterval(() => !root.hidden && ctx.connection.connected && void this.refresh(), LIST_EVERY_MS);
  }

  private suggestId(): void {
    if (this.modelId.dataset.touched) return;
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    this.modelId.value = `${this.kind.value === 'train-notes' ? 'notes' : 'loops'}-${stamp}`;
    this.modelId.addEventListener('input', () => (this.modelId.dataset.touched = 'true'), { once: true });
  }

  private async start(): Promise<void> {
    const steps = this.steps.value ? Number(this.steps.value) : undefined;
    const options = {
      model: this.modelId.value.trim(),
      preset: this.preset.value as 'tiny' | 'lite' | 'paper',
      ...(steps ? { steps } : {}),
      ...(this.dataset.value.trim() ? { data: this.dataset.value.trim() } : {}),
      ...(this.resume.checked ? { resume: true } : {}),
    };
    const request: JobRequest = this.kind.value === 'train-notes' ? { type: 'train-notes', options } : { type: 'train-loops', options };
    this.startButton.disabled = true;
    try {
      const job = await this.ctx.connection.request('job:start', request);
      this.ctx.notify.info(`Started ${job.type} → ${options.model} (${job.state}).`);
      this.updated(job);
      await this.follow(job.id);
    } catch (err) {
      this.ctx.notify.error('Start training', err);
    } finally {
      this.startButton.disabled = false;
    }
  }

  private async refresh(): Promise<void> {
    try {
      this.jobs = await this.ctx.connection.request('job:list', {});
      this.renderList();
      if (!this.followed) {
        const live = [...this.jobs].reverse().find((j) => j.state === 'running' || j.state === 'queued') ?? this.jobs[this.jobs.length - 1];
        if (live) await this.follow(live.id);
      }
    } catch (err) {
      this.ctx.notify.error('List jobs', err);
    }
  }

  private async follow(id: string): Promise<void> {
    if (this.followed && this.followed !== id) void this.ctx.connection.request('job:unsubscribe', { id: this.followed }).catch(() => undefined);
    this.followed = id;
    try {
      this.updated(await this.ctx.connection.request('job:subscribe', { id }));
    } catch (err) {
      this.ctx.notify.error('Follow job', err);
    }
    this.renderList();
  }

  private updated(job: JobView): void {
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index >= 0) this.jobs[index] = job;
    else this.jobs.push(job);
    if (job.id === this.followed) this.detail.show(job);
    this.renderList();
  }

  private async act(event: 'job:cancel' | 'job:resume', id: string, what: string): Promise<void> {
    try {
      this.updated(await this.ctx.connection.request(event, { id }));
      if (event === 'job:resume') await this.follow(id);
    } catch (err) {
      this.ctx.notify.error(what, err);
    }
  }

  /** Plays a preview: a WAV as is, a MIDI file on the loop voices. */
  private async listen(url: string, name: string): Promise<void> {
    try {
      const [audio, response] = await Promise.all([loadAudio(), fetch(url)]);
      if (!response.ok) throw new Error(`the server answered ${response.status} for ${name}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.stopPreview?.();
      this.stopPreview = name.toLowerCase().endsWith('.mid') ? audio.playRollOnce(midiToRoll(bytes, name)) : audio.playOneShot(audio.bufferOf(decodeWav(bytes, name)));
    } catch (err) {
      this.ctx.notify.error(`Listen to ${name}`, err);
    }
  }

  private renderList(): void {
    const rows = [...this.jobs].reverse().slice(0, 30).map((job) => {
      const fraction = progressFraction(job.progress);
      const open = h('button', { class: 'link', 'aria-label': `Show job ${job.id}` }, `${job.type} → ${job.output.model ?? job.output.dataset ?? '—'}`);
      open.addEventListener('click', () => void this.follow(job.id));
      return h('tr', { 'data-job-id': job.id, class: job.id === this.followed ? 'selected' : '' },
        h('td', {}, open),
        h('td', {}, h('span', { class: 'badge', 'data-state': job.state }, job.state)),
        h('td', {}, fraction === null ? '—' : `${(fraction * 100).toFixed(0)} %`),
        h('td', {}, job.state === 'running' ? formatDuration(job.etaSeconds) : '—'));
    });
    replaceChildren(this.list, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '4', class: 'hint' }, 'No jobs yet.'))]));
  }
}
