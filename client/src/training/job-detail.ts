/**
 * One job in detail, live: state, progress, rate and ETA, the latest losses and their curves, the previews of each
 * checkpoint (listen, drag out, download), the error if it failed, the last lines it printed, and Cancel / Resume.
 */
import type { JobView } from '../../../server/protocol.js';
import { h, replaceChildren } from '../dom/h.js';
import { urlFileHandle } from '../dom/file-handle.js';
import { formatDuration, formatLoss, progressFraction } from './figures.js';
import { drawLossChart } from './loss-chart.js';

export interface JobDetailEvents {
  cancel(id: string): void;
  resume(id: string): void;
  listen(url: string, filename: string): void;
}

const PREVIEW_TYPES: Record<string, string> = { wav: 'audio/wav', mid: 'audio/midi', json: 'application/json', png: 'image/png', txt: 'text/plain' };

export class JobDetail {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly state: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly figures: HTMLElement;
  private readonly losses: HTMLElement;
  private readonly chart: HTMLCanvasElement;
  private readonly previews: HTMLElement;
  private readonly error: HTMLElement;
  private readonly log: HTMLPreElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly resumeButton: HTMLButtonElement;
  private job: JobView | null = null;
  private previewKey = '';

  constructor(
    private readonly events: JobDetailEvents,
    private readonly withToken: (url: string) => string,
  ) {
    this.title = h('h3', { id: 'job-title' }, 'No job selected');
    this.state = h('span', { class: 'badge', id: 'job-state', hidden: true });
    this.bar = h('progress', { id: 'job-progress', max: '1' });
    this.figures = h('p', { class: 'status-line', id: 'job-figures', role: 'status', 'aria-live': 'polite' });
    this.losses = h('div', { class: 'losses', id: 'job-losses' });
    this.chart = h('canvas', { class: 'loss-chart', id: 'loss-chart', 'aria-label': 'Loss curves' });
    this.previews = h('div', { class: 'previews', id: 'job-previews' });
    this.error = h('p', { class: 'job-error', id: 'job-error', role: 'alert', hidden: true });
    this.log = h('pre', { class: 'log-tail', id: 'job-log' });
    this.cancelButton = h('button', { id: 'cancel-job', disabled: true, title: 'Stop the job; its last checkpoint stays' }, 'Cancel');
    this.resumeButton = h('button', { id: 'resume-job', disabled: true, title: 'Run it again from its last checkpoint' }, 'Resume');
    this.cancelButton.addEventListener('click', () => this.job && this.events.cancel(this.job.id));
    this.resumeButton.addEventListener('click', () => this.job && this.events.resume(this.job.id));
    this.element = h('section', { class: 'job-detail', 'aria-label': 'Job', 'data-empty': 'true' },
      h('div', { class: 'result-head' }, this.title, this.state, h('span', { class: 'inline' }, this.cancelButton, this.resumeButton)),
      h('p', { class: 'empty-note' }, 'Start a training job above, or pick one from the list: its progress, losses and previews show here live.'),
      this.bar, this.figures, this.error, this.losses, this.chart,
      h('h4', {}, 'Previews'), this.previews,
      h('details', {}, h('summary', {}, 'Output'), this.log));
  }

  get current(): JobView | null {
    return this.job;
  }

  show(job: JobView): void {
    this.job = job;
    delete this.element.dataset.empty;
    const output = job.output.model ?? job.output.dataset ?? '';
    this.title.textContent = `${job.type}${output ? ` → ${output}` : ''} (${String(job.options.preset ?? '')}${job.attempts > 1 ? `, run ${job.attempts}` : ''})`.replace(' ()', '');
    this.state.hidden = false;
    this.state.textContent = job.state;
    this.state.dataset.state = job.state;
    this.element.dataset.jobId = job.id;
    this.element.dataset.state = job.state;
    const fraction = progressFraction(job.progress);
    if (fraction === null) this.bar.removeAttribute('value');
    else this.bar.value = fraction;
    const p = job.progress;
    const parts = [
      p ? `${p.phase ? `${p.phase}: ` : ''}${p.done} / ${p.total || '?'}` : job.state === 'queued' ? 'waiting for its turn' : 'no progress reported yet',
      fraction === null ? null : `${(fraction * 100).toFixed(1)} %`,
      job.rate ? `${job.rate.toFixed(job.rate < 10 ? 2 : 0)} per second` : null,
      job.state === 'running' ? `ETA ${formatDuration(job.etaSeconds)}` : null,
      job.finishedAt ? `finished ${new Date(job.finishedAt).toLocaleTimeString()}` : null,
    ];
    this.figures.textContent = parts.filter(Boolean).join(' · ');
    if (p) {
      this.element.dataset.done = String(p.done);
      this.element.dataset.total = String(p.total);
    }
    replaceChildren(this.losses, ...Object.entries(job.losses).map(([name, value]) => h('span', { class: 'loss' }, h('b', {}, name), ` ${formatLoss(value)}`)));
    drawLossChart(this.chart, job.lossHistory);
    this.error.hidden = !job.error;
    this.error.textContent = job.error ? `${job.error.message} (${job.error.code})` : '';
    this.log.textContent = job.logTail.join('\n');
    const live = job.state === 'running' || job.state === 'queued';
    this.cancelButton.disabled = !live;
    this.resumeButton.disabled = !job.resumable || live;
    this.showPreviews(job.previews);
  }

  /** Previews grouped by checkpoint folder (`.../previews/step-000200/60.wav`), newest first. */
  private showPreviews(urls: string[]): void {
    const key = urls.join('|');
    if (key === this.previewKey) return;
    this.previewKey = key;
    if (urls.length === 0) {
      replaceChildren(this.previews, h('p', { class: 'hint' }, 'No previews yet: the trainer writes some at each checkpoint.'));
      return;
    }
    const groups = new Map<string, string[]>();
    for (const url of urls) {
      const parts = url.split('/previews/')[1]?.split('/') ?? [url];
      const group = parts.length > 1 ? decodeURIComponent(parts[0]!) : 'latest';
      groups.set(group, [...(groups.get(group) ?? []), url]);
    }
    const sections = [...groups.entries()].reverse().map(([group, files]) =>
      h('div', { class: 'preview-group' }, h('h5', {}, group.replace(/^step-0*(\d)/, 'step $1')), ...files.map((url) => this.previewItem(url))));
    replaceChildren(this.previews, ...sections);
  }

  private previewItem(url: string): HTMLElement {
    const base = decodeURIComponent(url.split('/').pop() ?? 'preview');
    const extension = base.split('.').pop()!.toLowerCase();
    // The server names downloads <model>_<file>; the drag-out name says the checkpoint too.
    const step = /\/previews\/(step-\d+)\//.exec(url)?.[1];
    const filename = `${this.job?.output.model ?? 'model'}_${step ? `${step}_` : ''}${base}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const absolute = this.withToken(new URL(url, location.href).href);
    const listen = h('button', { class: 'icon', title: `Listen to ${base}`, 'aria-label': `Listen to ${base}` }, '▶');
    listen.disabled = extension !== 'wav' && extension !== 'mid';
    listen.addEventListener('click', () => this.events.listen(absolute, base));
    const item = h('div', { class: 'preview', 'data-url': url }, listen, urlFileHandle({ filename, mimeType: PREVIEW_TYPES[extension] ?? 'application/octet-stream', url: absolute }, { compact: true, label: base }));
    if (extension === 'png') item.append(h('img', { src: absolute, alt: base, loading: 'lazy' }));
    return item;
  }
}
