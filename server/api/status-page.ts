/**
 * The plain page served at / until the web client is built (client/dist/): what the server has loaded and where
 * the API is. No scripts; every value is escaped.
 */
import type { ModelRegistry } from '../registry/registry.js';
import type { JobView } from '../protocol.js';
import { readPackageVersion } from '../util/version.js';

export function statusPage(registry: ModelRegistry, jobs: JobView[], backend: string | null, tokenRequired: boolean): string {
  const models = registry.list();
  const rows = models.length
    ? models.map((m) => `<tr><td>${esc(m.id)}</td><td>${esc(m.kind)}</td><td>${esc(m.preset)}</td><td>${m.step}</td></tr>`).join('')
    : '<tr><td colspan="4">No models yet: train one (<code>studio train notes</code>, <code>studio train loops</code>) or copy a model folder into models/.</td></tr>';
  const problems = registry.problems.map((p) => `<li><code>${esc(p.path)}</code>: ${esc(p.message)}</li>`).join('');
  const jobRows = jobs.slice(-10).reverse()
    .map((j) => `<tr><td>${esc(j.id)}</td><td>${esc(j.type)}</td><td>${esc(j.state)}</td><td>${j.progress ? `${j.progress.done}/${j.progress.total}` : ''}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Studio server</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body>
<h1>Studio server ${esc(readPackageVersion())}</h1>
<p>The web client is not built (<code>npm run build</code> puts it in <code>client/dist/</code>). The API is up: see the README's API section.
Backend: <strong>${esc(backend ?? 'starting')}</strong>.${tokenRequired ? ' API requests need the server token (<code>Authorization: Bearer …</code>).' : ''}</p>
<h2>Models</h2><table><tr><th>id</th><th>kind</th><th>preset</th><th>steps</th></tr>${rows}</table>
${problems ? `<h2>Problems</h2><ul>${problems}</ul>` : ''}
<h2>Recent jobs</h2><table><tr><th>id</th><th>type</th><th>state</th><th>progress</th></tr>${jobRows || '<tr><td colspan="4">none</td></tr>'}</table>
<p><code>GET /api/health</code> · <code>GET /api/models</code> · <code>GET /api/jobs</code></p>
</body></html>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
