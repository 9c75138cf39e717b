/**
 * Loss curves of a training job as small multiples: one strip per series (D, G, gradient penalty, accuracy...),
 * each on its own y axis of round ticks, all sharing the step axis. Series live on very different scales, and one
 * shared axis would flatten the small ones into a line at zero.
 */
import { fitCanvas } from '../notes/note-view.js';
import { formatLoss, lossSeriesNames, niceAxis } from './figures.js';

const SERIES_COLORS = ['#6ec1ff', '#ff7b8a', '#7ee08a', '#f2b45a', '#c58bff', '#5ad1c8'];
const STRIP_HEIGHT = 72;
const STEP_AXIS_HEIGHT = 18;

type LossPoint = { step: number } & Record<string, number>;

export function drawLossChart(canvas: HTMLCanvasElement, history: readonly LossPoint[]): void {
  const names = lossSeriesNames(history);
  // The canvas grows with the number of series.
  canvas.style.height = `${Math.max(1, names.length) * STRIP_HEIGHT + STEP_AXIS_HEIGHT}px`;
  const ctx = fitCanvas(canvas);
  const scale = devicePixelRatio;
  const width = canvas.width / scale;
  const height = canvas.height / scale;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.fillStyle = '#0f1218';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  canvas.dataset.points = String(history.length);
  canvas.dataset.series = names.join(',');
  if (history.length < 2 || names.length === 0) {
    ctx.fillStyle = '#8b95a7';
    ctx.fillText(history.length ? 'Waiting for more loss points…' : 'No losses reported yet.', 12, 22);
    return;
  }
  const left = 120;
  const right = width - 12;
  const steps = history.map((p) => p.step);
  const minStep = Math.min(...steps);
  const maxStep = Math.max(...steps);
  const x = (step: number) => left + ((step - minStep) / Math.max(1, maxStep - minStep)) * (right - left);

  names.forEach((name, i) => {
    const top = i * STRIP_HEIGHT + 8;
    const bottom = (i + 1) * STRIP_HEIGHT - 6;
    const points = history.filter((p) => typeof p[name] === 'number' && Number.isFinite(p[name]));
    const axis = niceAxis(points.map((p) => p[name]!), 2);
    const y = (value: number) => bottom - ((value - axis.min) / (axis.max - axis.min)) * (bottom - top);
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    ctx.fillStyle = color;
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.fillText(name, 8, top + 12);
    const latest = points[points.length - 1];
    ctx.fillStyle = '#c9d1dd';
    ctx.font = '11px system-ui, sans-serif';
    if (latest) ctx.fillText(formatLoss(latest[name]!), 8, top + 28);
    ctx.strokeStyle = 'rgba(255,255,255,0.07)';
    ctx.fillStyle = '#6b7587';
    for (const tick of [axis.min, axis.max]) {
      ctx.beginPath();
      ctx.moveTo(left, y(tick));
      ctx.lineTo(right, y(tick));
      ctx.stroke();
      const label = formatLoss(tick);
      ctx.fillText(label, left - 6 - ctx.measureText(label).width, y(tick) + 4);
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((point, k) => (k === 0 ? ctx.moveTo(x(point.step), y(point[name]!)) : ctx.lineTo(x(point.step), y(point[name]!))));
    ctx.stroke();
    ctx.lineWidth = 1;
  });
  ctx.fillStyle = '#8b95a7';
  const axisY = height - 5;
  ctx.fillText(`step ${minStep}`, left, axisY);
  const last = `step ${maxStep}`;
  ctx.fillText(last, right - ctx.measureText(last).width, axisY);
}
