/** Loss curves of a training job: one line per loss series over steps, with a y axis of round ticks and a legend. */
import { fitCanvas } from '../notes/note-view.js';
import { formatLoss, lossSeriesNames, niceAxis } from './figures.js';

const SERIES_COLORS = ['#6ec1ff', '#ff7b8a', '#7ee08a', '#f2b45a', '#c58bff', '#5ad1c8'];

export function drawLossChart(canvas: HTMLCanvasElement, history: readonly ({ step: number } & Record<string, number>)[]): void {
  const ctx = fitCanvas(canvas);
  const scale = devicePixelRatio;
  const width = canvas.width / scale;
  const height = canvas.height / scale;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.fillStyle = '#0f1218';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  const names = lossSeriesNames(history);
  if (history.length < 2 || names.length === 0) {
    ctx.fillStyle = '#8b95a7';
    ctx.fillText(history.length ? 'Waiting for more loss points…' : 'No losses reported yet.', 12, 22);
    canvas.dataset.points = String(history.length);
    return;
  }
  const left = 56;
  const right = width - 10;
  const top = 10;
  const bottom = height - 36;
  const steps = history.map((p) => p.step);
  const minStep = Math.min(...steps);
  const maxStep = Math.max(...steps);
  const axis = niceAxis(history.flatMap((p) => names.map((n) => p[n]).filter((v): v is number => typeof v === 'number')));
  const x = (step: number) => left + ((step - minStep) / Math.max(1, maxStep - minStep)) * (right - left);
  const y = (value: number) => bottom - ((value - axis.min) / (axis.max - axis.min)) * (bottom - top);

  ctx.strokeStyle = 'rgba(255,255,255,0.08)';
  ctx.fillStyle = '#8b95a7';
  for (const tick of axis.ticks) {
    ctx.beginPath();
    ctx.moveTo(left, y(tick));
    ctx.lineTo(right, y(tick));
    ctx.stroke();
    ctx.fillText(formatLoss(tick), 4, y(tick) + 4);
  }
  ctx.fillText(`step ${minStep}`, left, bottom + 14);
  const last = `step ${maxStep}`;
  ctx.fillText(last, right - ctx.measureText(last).width, bottom + 14);

  names.forEach((name, i) => {
    ctx.strokeStyle = SERIES_COLORS[i % SERIES_COLORS.length]!;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const point of history) {
      const value = point[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (started) ctx.lineTo(x(point.step), y(value));
      else ctx.moveTo(x(point.step), y(value));
      started = true;
    }
    ctx.stroke();
    // Legend along the bottom.
    const legendX = left + i * 110;
    ctx.fillStyle = SERIES_COLORS[i % SERIES_COLORS.length]!;
    ctx.fillRect(legendX, height - 14, 10, 3);
    ctx.fillStyle = '#c9d1dd';
    ctx.fillText(name, legendX + 14, height - 9);
  });
  ctx.lineWidth = 1;
  canvas.dataset.points = String(history.length);
  canvas.dataset.series = names.join(',');
}
