/**
 * Messages to the user: errors from the server's acks (with their code), connection trouble, and short
 * confirmations. Shown in an aria-live log at the bottom of the page, newest first; errors stay until dismissed.
 */
import { h } from '../dom/h.js';
import { RequestError } from '../net/studio-connection.js';

export type MessageLevel = 'info' | 'success' | 'error';

export class Notifier {
  private readonly maxMessages = 6;

  constructor(private readonly container: HTMLElement) {}

  info(text: string): void {
    this.show('info', text);
  }

  success(text: string): void {
    this.show('success', text);
  }

  /** An error, prefixed by what was being done: "Generate note: NOT_FOUND — unknown model ...". */
  error(what: string, err: unknown): void {
    this.show('error', `${what}: ${describeError(err)}`);
  }

  private show(level: MessageLevel, text: string): void {
    const close = h('button', { class: 'close', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×');
    const message = h('div', { class: `message ${level}`, role: level === 'error' ? 'alert' : 'status' }, h('span', {}, text), close);
    close.addEventListener('click', () => message.remove());
    this.container.prepend(message);
    if (level !== 'error') setTimeout(() => message.remove(), 6000);
    while (this.container.children.length > this.maxMessages) this.container.lastElementChild?.remove();
  }
}

export function describeError(err: unknown): string {
  if (err instanceof RequestError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
