/**
 * Files the page holds (notes, loops, stems, instruments), made downloadable two ways: a blob: URL for the download
 * button (always works), and an http URL on the server's shared-file shelf (POST /api/files, see server/protocol.ts)
 * for dragging out of the browser, which Chromium allows only with http(s) URLs. Each file is put on the shelf once.
 */
import { SHARED_FILES_PATH, type SharedFile } from '../../../server/protocol.js';
import type { StudioConnection } from './studio-connection.js';

export interface ClientFile {
  filename: string;
  mimeType: string;
  bytes: Uint8Array;
}

export type ShareState =
  | { kind: 'sharing' }
  | { kind: 'shared'; url: string }
  /** The server has no shelf or refused the file: drag-out is unavailable, the download button still works. */
  | { kind: 'unavailable'; reason: string };

export class FileShelf {
  private readonly blobUrls = new WeakMap<ClientFile, string>();
  private readonly shared = new WeakMap<ClientFile, Promise<ShareState>>();
  /** Set once the server said it has no shelf, so the page stops asking. */
  private missing: string | null = null;
  /** Uploads run one after another: the first answer tells whether there is a shelf at all. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: StudioConnection) {}

  /** A blob: URL for `<a download>`; kept for the page's lifetime (files are small and few). */
  blobUrl(file: ClientFile): string {
    let url = this.blobUrls.get(file);
    if (!url) {
      url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mimeType }));
      this.blobUrls.set(file, url);
    }
    return url;
  }

  /** Puts `file` on the server's shelf (once) and resolves with the GET URL for drag-out. */
  share(file: ClientFile): Promise<ShareState> {
    let pending = this.shared.get(file);
    if (!pending) {
      pending = this.queue.then(() => this.upload(file));
      this.queue = pending.catch(() => undefined);
      this.shared.set(file, pending);
    }
    return pending;
  }

  private async upload(file: ClientFile): Promise<ShareState> {
    if (this.missing) return { kind: 'unavailable', reason: this.missing };
    const query = new URLSearchParams({ filename: file.filename });
    let response: Response;
    try {
      response = await fetch(`${SHARED_FILES_PATH}?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': file.mimeType, ...this.connection.authHeaders() },
        body: file.bytes as Uint8Array<ArrayBuffer>,
      });
    } catch (err) {
      return { kind: 'unavailable', reason: `could not reach the server (${err instanceof Error ? err.message : String(err)})` };
    }
    if (response.status === 404 || response.status === 405) {
      this.missing = 'this server has no shared-file shelf (POST /api/files), so files cannot be dragged out; use the download button';
      return { kind: 'unavailable', reason: this.missing };
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      return { kind: 'unavailable', reason: body?.error?.message ?? `the server answered ${response.status}` };
    }
    const sharedFile = (await response.json()) as SharedFile;
    return { kind: 'shared', url: this.connection.withToken(new URL(sharedFile.url, location.href).href) };
  }
}
