/**
 * socket.io handlers: every request event is validated with its protocol schema and answered through its
 * acknowledgement, `{ok: true, data}` or `{ok: false, error}`. Anything a client sends, well-formed or not, ends in
 * an ack (when it gave a callback) and never reaches past this file as an exception.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import { StudioError } from '../util/errors.js';
import {
  CLIENT_EVENTS, instrumentRequestSchema, jamStartSchema, jamUpdateSchema, jobIdSchema, jobRequestSchema,
  loopRequestSchema, noteRequestSchema,
} from '../protocol.js';
import type { Ack, ClientToServerEvents, ErrorBody, JamNext, ServerToClientEvents } from '../protocol.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { GenerationService } from './generation.js';
import type { RateLimiter } from './rate-limit.js';
import { JamSession, type JamSessionOptions } from './jam-session.js';
import { parseInput } from './validate.js';
import { toErrorBody } from './errors.js';

export type StudioIo = Server<ClientToServerEvents, ServerToClientEvents>;
type JamError = ErrorBody & { sessionId: string };

export interface SocketContext {
  generation: GenerationService;
  jobs: JobRunner;
  /** Requests per socket. */
  limiter: RateLimiter;
  /** Requests of one socket being worked on at once, at most. */
  maxInFlightPerSocket: number;
  jam: JamSessionOptions;
}

/** What each request costs against the rate limit (an instrument is ~60 notes). */
const COST: Partial<Record<keyof ClientToServerEvents, number>> = { 'instrument:generate': 20, 'job:start': 5 };

export function jobRoom(id: string): string {
  return `job:${id}`;
}

export function registerSocketHandlers(io: StudioIo, ctx: SocketContext): void {
  io.on('connection', (socket) => {
    let inFlight = 0;
    let jam: JamSession | null = null;

    const handle = <T>(event: keyof ClientToServerEvents, work: (payload: unknown) => Promise<T> | T): void => {
      socket.on(event, async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: Ack<T>) => void) : null;
        const payload = args[0];
        let reply: Ack<T>;
        try {
          const waitMs = ctx.limiter.take(socket.id, COST[event] ?? 1);
          if (waitMs > 0) throw new StudioError('RATE_LIMITED', `too many requests; retry in ${waitMs} ms`);
          if (inFlight >= ctx.maxInFlightPerSocket) throw new StudioError('RATE_LIMITED', `at most ${ctx.maxInFlightPerSocket} requests at once per connection`);
          inFlight++;
          try {
            reply = { ok: true, data: await work(payload) };
          } finally {
            inFlight--;
          }
        } catch (err) {
          reply = { ok: false, error: toErrorBody(err) };
        }
        if (ack && socket.connected) ack(reply);
      });
    };

    handle('models:list', () => ctx.generation.registry.list());
    handle('note:generate', (p) => ctx.generation.note(parseInput(noteRequestSchema, p, 'note request')));
    handle('instrument:generate', (p) => ctx.generation.instrument(parseInput(instrumentRequestSchema, p, 'instrument request')));
    handle('loop:generate', async (p) => {
      const { data: _data, ...reply } = await ctx.generation.loop(parseInput(loopRequestSchema, p, 'loop request'));
      return reply;
    });

    handle('job:start', (p) => ctx.jobs.submit(parseInput(jobRequestSchema, p, 'job request')));
    handle('job:list', () => ctx.jobs.list());
    handle('job:get', (p) => ctx.jobs.get(parseInput(jobIdSchema, p, 'job id').id));
    handle('job:cancel', (p) => ctx.jobs.cancel(parseInput(jobIdSchema, p, 'job id').id));
    handle('job:resume', (p) => ctx.jobs.resume(parseInput(jobIdSchema, p, 'job id').id));
    handle('job:subscribe', async (p) => {
      const { id } = parseInput(jobIdSchema, p, 'job id');
      const job = await ctx.jobs.get(id);
      await socket.join(jobRoom(id));
      // A job that has already ended gets its final event at once, after the ack, like a live one would.
      if (job.state === 'succeeded') setImmediate(() => socket.emit('job:done', job));
      else if (job.state !== 'queued' && job.state !== 'running') setImmediate(() => socket.emit('job:failed', job));
      return job;
    });
    handle('job:unsubscribe', async (p) => {
      await socket.leave(jobRoom(parseInput(jobIdSchema, p, 'job id').id));
      return null;
    });

    handle('jam:start', (p) => {
      const start = parseInput(jamStartSchema, p, 'jam:start');
      jam?.stop();
      const outlet = { next: (next: JamNext) => socket.emit('jam:next', next), error: (error: JamError) => socket.emit('jam:error', error) };
      jam = new JamSession(randomUUID(), ctx.generation, outlet, start, ctx.jam);
      return jam.view;
    });
    handle('jam:update', (p) => {
      const patch = parseInput(jamUpdateSchema, p, 'jam:update');
      if (!jam) throw new StudioError('CONFLICT', 'no jam session: send jam:start first');
      return jam.update(patch);
    });
    handle('jam:stop', () => {
      jam?.stop();
      jam = null;
      return null;
    });

    socket.onAny((event: unknown, ...args: unknown[]) => {
      if ((CLIENT_EVENTS as readonly unknown[]).includes(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') {
        ack({ ok: false, error: { code: 'BAD_INPUT', message: `unknown event "${String(event).slice(0, 60)}"; events: ${CLIENT_EVENTS.join(', ')}` } });
      }
    });

    socket.on('disconnect', () => {
      jam?.stop();
      jam = null;
      ctx.limiter.forget(socket.id);
    });
  });
}
