/**
 * The HTTP API under /api: JSON in, JSON errors out (`{error: {code, message}}` with the matching status), and
 * downloads with their Content-Type and a Content-Disposition filename that says what they are.
 */
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import { readPackageVersion } from '../util/version.js';
import {
  HEADER_MODEL, HEADER_SEED, LIMITS, exportNameSchema, SHARED_FILE_TYPES, instrumentRequestSchema, sharedFileNameSchema, jobIdSchema, jobRequestSchema, loopRequestSchema, noteRequestSchema,
} from '../protocol.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { PREVIEW_EXTENSIONS } from '../jobs/previews.js';
import type { GenerationService } from './generation.js';
import type { RateLimiter } from './rate-limit.js';
import type { ServerStats } from './server-stats.js';
import { attachment, loopFilename } from './filenames.js';
import type { FileShelf } from './file-shelf.js';
import { HTTP_STATUS, toErrorBody } from './errors.js';
import { parseInput } from './validate.js';

export interface HttpContext {
  generation: GenerationService;
  shelf: FileShelf;
  jobs: JobRunner;
  /** Where render jobs write export folders (served at /api/exports/:name/:file). */
  exportsDir: string;
  stats: ServerStats;
  limiter: RateLimiter;
  jsonBodyBytes: number;
  loopBodyBytes: number;
}

const PREVIEW_TYPES: Record<string, string> = {
  '.wav': 'audio/wav', '.mid': 'audio/midi', '.json': 'application/json', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8',
};
const LOG_TAIL_BYTES = 256 * 1024;

export function apiRouter(ctx: HttpContext): Router {
  const router = express.Router();
  const json = express.json({ limit: ctx.jsonBodyBytes, strict: true });
  const loopJson = express.json({ limit: ctx.loopBodyBytes, strict: true });
  const { registry } = ctx.generation;

  router.use((req, res, next) => {
    const cost = req.path === '/instruments' ? 20 : req.method === 'GET' ? 0.25 : 1;
    const waitMs = ctx.limiter.take(req.socket.remoteAddress ?? 'unknown', cost);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      return next(new StudioError('RATE_LIMITED', `too many requests; retry in ${waitMs} ms`));
    }
    next();
  });

  router.get('/health', async (_req, res) => {
    const jobs = await ctx.jobs.list();
    res.json({
      status: 'ok',
      backend: ctx.generation.pool.backend,
      version: readPackageVersion(),
      models: registry.list().map((m) => ({ id: m.id, kind: m.kind })),
      problems: [...registry.problems, ...ctx.jobs.loadProblems],
      jobs: { mode: ctx.jobs.mode, queued: jobs.filter((j) => j.state === 'queued').length, running: jobs.filter((j) => j.state === 'running').length },
      uptimeSeconds: Math.round(process.uptime()),
    });
  });
  router.get('/stats', (req, res) => {
    res.json(ctx.stats.snapshot(req.query.reset === '1'));
  });

  router.get('/models', async (_req, res) => {
    await registry.scan();
    res.json(registry.list());
  });
  router.get('/models/:id/previews/*file', async (req, res) => {
    const entry = await registry.find(String(req.params.id));
    const file = await previewFile(entry.dir, req.params.file as unknown as string[]);
    res.setHeader('Content-Type', PREVIEW_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Disposition', attachment(`${entry.id}_${path.basename(file)}`));
    res.send(await fs.readFile(file));
  });

  router.post('/notes', requireJson, json, async (req, res) => {
    const note = await ctx.generation.note(parseInput(noteRequestSchema, req.body, 'note request'));
    download(res, note.mimeType, note.filename, note.audio, note.model, note.seed);
  });
  router.post('/instruments', requireJson, json, async (req, res) => {
    const instrument = await ctx.generation.instrument(parseInput(instrumentRequestSchema, req.body, 'instrument request'));
    download(res, instrument.mimeType, instrument.filename, instrument.zip, instrument.model, instrument.seed);
  });
  router.post('/loops', requireJson, loopJson, async (req, res) => {
    const wantsJson = req.accepts(['audio/midi', 'audio/x-midi', 'application/json']) === 'application/json';
    const { data: _data, midi, ...loop } = await ctx.generation.loop(parseInput(loopRequestSchema, req.body, 'loop request'));
    if (!wantsJson) return download(res, loop.mimeType, loop.filename, midi, loop.model, loop.seed);
    res.setHeader('Content-Disposition', attachment(loopFilename(loop, 'json')));
    res.setHeader(HEADER_SEED, String(loop.seed));
    res.setHeader(HEADER_MODEL, loop.model);
    res.json({ ...loop, mimeType: 'application/json', filename: loopFilename(loop, 'json'), midiFilename: loop.filename });
  });

  router.post('/jobs', requireJson, json, async (req, res) => {
    const job = await ctx.jobs.submit(parseInput(jobRequestSchema, req.body, 'job request'));
    res.status(201).json(job);
  });
  router.get('/jobs', async (_req, res) => {
    res.json(await ctx.jobs.list());
  });
  router.get('/jobs/:id', async (req, res) => {
    res.json(await ctx.jobs.get(parseInput(jobIdSchema, req.params, 'job id').id));
  });
  router.delete('/jobs/:id', async (req, res) => {
    const job = await ctx.jobs.cancel(parseInput(jobIdSchema, req.params, 'job id').id);
    res.status(job.state === 'running' ? 202 : 200).json(job);
  });
  router.post('/jobs/:id/resume', async (req, res) => {
    res.json(await ctx.jobs.resume(parseInput(jobIdSchema, req.params, 'job id').id));
  });
  router.get('/jobs/:id/log', async (req, res) => {
    const text = await ctx.jobs.readLog(parseInput(jobIdSchema, req.params, 'job id').id, LOG_TAIL_BYTES);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.send(text);
  });

  // What render jobs wrote: exports/<name>/<file> (one level of subfolders, e.g. samples/p060_v127.wav).
  router.get(/^\/exports\/([^/]+)\/(.+)$/, async (req, res) => {
    const params = req.params as unknown as Record<string, string>;
    const name = parseInput(exportNameSchema, params[0], 'export name');
    const file = await exportFile(path.join(ctx.exportsDir, name), String(params[1]).split('/'));
    res.setHeader('Content-Type', EXPORT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Disposition', attachment(path.basename(file)));
    res.sendFile(file);
  });

  // The shared-file shelf (see protocol.ts): raw bytes in, a GET URL out.
  const rawFile = express.raw({ type: () => true, limit: LIMITS.maxSharedFileBytes });
  router.post('/files', rawFile, (req, res) => {
    const filename = parseInput(sharedFileNameSchema, req.query.filename, 'filename');
    const mimeType = SHARED_FILE_TYPES[filename.slice(filename.lastIndexOf('.') + 1) as keyof typeof SHARED_FILE_TYPES];
    if (req.headers['content-type']?.split(';')[0]!.trim().toLowerCase() !== mimeType) {
      throw new StudioError('BAD_INPUT', `send ${filename} with Content-Type: ${mimeType}`);
    }
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new StudioError('BAD_INPUT', 'the request body (the file) is empty');
    res.status(201).json(ctx.shelf.put(filename, mimeType, req.body));
  });
  router.get('/files/:id/:filename', (req, res) => {
    const file = ctx.shelf.get(String(req.params.id), String(req.params.filename));
    if (!file) throw new StudioError('NOT_FOUND', 'no such shared file (files stay on the shelf for an hour)');
    res.setHeader('Content-Type', file.meta.mimeType);
    res.setHeader('Content-Disposition', attachment(file.meta.filename));
    res.send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  });

  router.use((req, _res, next) => next(new StudioError('NOT_FOUND', `no route ${req.method} /api${req.path.slice(0, 100)}`)));
  router.use(apiErrorHandler);
  return router;
}

/** POST bodies must be JSON: other types would skip the parser and reach handlers as nothing. */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/json')) return next(new StudioError('BAD_INPUT', 'send the request body as JSON (Content-Type: application/json)'));
  next();
}

function download(res: Response, mimeType: string, filename: string, bytes: Uint8Array, model: string, seed: number | null): void {
  res.setHeader('Content-Type', mimeType);
  res.setHeader('Content-Disposition', attachment(filename));
  res.setHeader(HEADER_MODEL, model);
  if (seed !== null) res.setHeader(HEADER_SEED, String(seed));
  res.setHeader('Cache-Control', 'no-store');
  res.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** A preview file inside the model's previews/ folder: plain names only, no dot files, no way out (symlinks included). */
async function previewFile(modelDir: string, segments: string[]): Promise<string> {
  const parts = Array.isArray(segments) ? segments : [];
  const plain = parts.length >= 1 && parts.length <= 2 && parts.every((p) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(p));
  const extension = path.extname(parts[parts.length - 1] ?? '').toLowerCase();
  if (!plain || !PREVIEW_EXTENSIONS.has(extension)) throw new StudioError('NOT_FOUND', 'no such preview');
  const root = path.join(modelDir, 'previews');
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(root), fs.realpath(path.join(root, ...parts))]);
    if (!realFile.startsWith(realRoot + path.sep)) throw new Error('outside');
    return realFile;
  } catch {
    throw new StudioError('NOT_FOUND', `no preview ${parts.join('/')}`);
  }
}

const EXPORT_TYPES: Record<string, string> = {
  '.wav': 'audio/wav', '.mid': 'audio/midi', '.zip': 'application/zip', '.sfz': 'text/plain; charset=utf-8', '.json': 'application/json',
};

/** A file of an export folder: plain names only, no dot files, at most one subfolder deep, no way out. */
async function exportFile(exportDir: string, parts: string[]): Promise<string> {
  const plain = parts.length >= 1 && parts.length <= 3 && parts.every((p) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(p) && !p.includes('..'));
  if (!plain) throw new StudioError('NOT_FOUND', 'no such export file');
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(exportDir), fs.realpath(path.join(exportDir, ...parts))]);
    if (!realFile.startsWith(realRoot + path.sep) || !(await fs.stat(realFile)).isFile()) throw new Error('outside');
    return realFile;
  } catch {
    throw new StudioError('NOT_FOUND', `no export file ${parts.join('/')}`);
  }
}

/** Turns anything thrown in /api (including body-parser's errors) into a JSON error with the right status. */
export function apiErrorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const parserError = bodyParserError(err);
  const body = toErrorBody(parserError ?? err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(HTTP_STATUS[body.code]).json({ error: body });
}

function bodyParserError(err: unknown): StudioError | null {
  const type = (err as { type?: unknown })?.type;
  if (typeof type !== 'string') return null;
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: number }).limit;
    return new StudioError('TOO_LARGE', `request body is larger than ${limit ?? 'the limit of'} bytes`);
  }
  if (type === 'entity.parse.failed') return new StudioError('BAD_INPUT', 'request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new StudioError('BAD_INPUT', 'request body must be UTF-8 JSON');
  if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'stream.encoding.set') {
    return new StudioError('BAD_INPUT', 'request body was cut short');
  }
  return null;
}
