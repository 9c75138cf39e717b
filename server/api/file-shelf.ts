/**
 * The shared-file shelf (protocol.ts, SHARED_FILES_PATH): files a page holds, put where a browser can GET them, so
 * they can be dragged out into a DAW (Chromium's DownloadURL takes http URLs only). In memory, each file for at
 * least `ttlSeconds`; when the shelf is over `capacityBytes`, its oldest files go first.
 */
import { randomBytes } from 'node:crypto';
import { SHARED_FILE_TTL_SECONDS, SHARED_FILES_PATH, type SharedFile } from '../protocol.js';

export interface FileShelfOptions {
  ttlSeconds?: number;
  capacityBytes?: number;
}

export const fileShelfDefaults = { ttlSeconds: SHARED_FILE_TTL_SECONDS, capacityBytes: 256 * 1024 * 1024 };

interface ShelvedFile {
  meta: SharedFile;
  bytes: Uint8Array;
  expiresAtMs: number;
}

export class FileShelf {
  /** Insertion order is age order (oldest first). */
  private readonly files = new Map<string, ShelvedFile>();
  private totalBytes = 0;
  private readonly options: Required<FileShelfOptions>;

  constructor(options: FileShelfOptions = {}) {
    this.options = { ...fileShelfDefaults, ...options };
  }

  put(filename: string, mimeType: string, bytes: Uint8Array, nowMs = Date.now()): SharedFile {
    this.expire(nowMs);
    const id = randomBytes(12).toString('hex');
    const expiresAtMs = nowMs + this.options.ttlSeconds * 1000;
    const meta: SharedFile = {
      id,
      url: `${SHARED_FILES_PATH}/${id}/${encodeURIComponent(filename)}`,
      filename,
      mimeType,
      bytes: bytes.byteLength,
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    // A copy: the request's buffer may be pooled and reused.
    this.files.set(id, { meta, bytes: Uint8Array.from(bytes), expiresAtMs });
    this.totalBytes += bytes.byteLength;
    for (const [oldId, old] of this.files) {
      if (this.totalBytes <= this.options.capacityBytes || oldId === id) break;
      this.remove(oldId, old);
    }
    return meta;
  }

  /** The file with this id and name, or null (unknown, expired, or another name). */
  get(id: string, filename: string, nowMs = Date.now()): { meta: SharedFile; bytes: Uint8Array } | null {
    this.expire(nowMs);
    const file = this.files.get(id);
    if (!file || file.meta.filename !== filename) return null;
    return { meta: file.meta, bytes: file.bytes };
  }

  get size(): { files: number; bytes: number } {
    return { files: this.files.size, bytes: this.totalBytes };
  }

  private expire(nowMs: number): void {
    for (const [id, file] of this.files) if (file.expiresAtMs <= nowMs) this.remove(id, file);
  }

  private remove(id: string, file: ShelvedFile): void {
    this.files.delete(id);
    this.totalBytes -= file.bytes.byteLength;
  }
}
