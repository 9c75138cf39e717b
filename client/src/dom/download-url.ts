/**
 * Chromium's drag-out format: `DownloadURL` drag data is `mime:filename:url`, and dropping it on the desktop or a
 * DAW makes the browser download `url` under `filename`. The URL must be absolute http(s) (blob: and data: URLs are
 * refused), and neither the type nor the name may contain ':'. Pure.
 */

export interface DownloadableFile {
  filename: string;
  mimeType: string;
  /** Where the bytes can be fetched with a plain GET. */
  url: string;
}

export function downloadUrlData(file: DownloadableFile, base: string): string {
  const url = new URL(file.url, base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`DownloadURL needs an http(s) URL, got ${url.protocol}`);
  if (file.mimeType.includes(':') || !/^[\w.+-]+\/[\w.+-]+$/.test(file.mimeType)) throw new Error(`not a MIME type: ${file.mimeType}`);
  if (!isSafeFilename(file.filename)) throw new Error(`not a plain file name: ${file.filename}`);
  return `${file.mimeType}:${file.filename}:${url.href}`;
}

/** Parses `mime:filename:url` back (the URL keeps its own colons). */
export function parseDownloadUrlData(data: string): DownloadableFile | null {
  const first = data.indexOf(':');
  const second = first < 0 ? -1 : data.indexOf(':', first + 1);
  if (first <= 0 || second <= first + 1) return null;
  return { mimeType: data.slice(0, first), filename: data.slice(first + 1, second), url: data.slice(second + 1) };
}

/** Letters, digits, '.', '-', '_' only: a name every file system and DAW takes as is. */
export function isSafeFilename(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/.test(name) && !name.includes('..');
}
