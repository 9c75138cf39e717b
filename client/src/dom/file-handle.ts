/**
 * A file's drag handle and download button: drag the handle into a DAW track or onto the desktop (Chromium's
 * DownloadURL drag data, pointing at the file's copy on the server's shelf), or click Download. The element says
 * whether drag-out is ready (`data-share`), and why not when it is not.
 */
import { h } from './h.js';
import { downloadUrlData } from './download-url.js';
import type { ClientFile, FileShelf } from '../net/file-shelf.js';

export interface FileHandleOptions {
  /** Text on the handle; the file name by default. */
  label?: string;
  /** Text of the download button. */
  buttonText?: string;
  compact?: boolean;
}

/** A file on a known http URL already (training previews): no shelf needed. */
export interface UrlFile {
  filename: string;
  mimeType: string;
  url: string;
}

export function fileHandle(shelf: FileShelf, file: ClientFile, options: FileHandleOptions = {}): HTMLElement {
  const handle = buildHandle(file.filename, file.mimeType, shelf.blobUrl(file), options);
  handle.dataset.share = 'sharing';
  void shelf.share(file).then((state) => {
    if (state.kind === 'shared') markShared(handle, file.filename, file.mimeType, state.url);
    else if (state.kind === 'unavailable') {
      handle.dataset.share = 'unavailable';
      handle.querySelector('.drag')!.setAttribute('title', `Drag-out unavailable: ${state.reason}`);
    }
  });
  return handle;
}

export function urlFileHandle(file: UrlFile, options: FileHandleOptions = {}): HTMLElement {
  const handle = buildHandle(file.filename, file.mimeType, file.url, options);
  markShared(handle, file.filename, file.mimeType, file.url);
  return handle;
}

function buildHandle(filename: string, mimeType: string, downloadHref: string, options: FileHandleOptions): HTMLElement {
  const grip = h(
    'span',
    { class: 'drag', draggable: 'true', tabindex: '0', role: 'button', 'aria-label': `Drag ${filename} out of the browser`, title: 'Preparing drag-out…' },
    h('span', { class: 'grip', 'aria-hidden': 'true' }, '⠿'),
    h('span', { class: 'name' }, options.label ?? filename),
  );
  const download = h('a', { class: 'button download', href: downloadHref, download: filename, title: `Download ${filename}` }, options.buttonText ?? 'Download');
  const handle = h('div', { class: `file-handle${options.compact ? ' compact' : ''}`, 'data-filename': filename, 'data-mime': mimeType }, grip, download);
  grip.addEventListener('dragstart', (event) => {
    const transfer = event.dataTransfer;
    if (!transfer) return;
    transfer.effectAllowed = 'copy';
    const downloadUrl = handle.dataset.downloadUrl;
    if (downloadUrl) {
      transfer.setData('DownloadURL', downloadUrl);
      transfer.setData('text/uri-list', handle.dataset.url ?? '');
    }
    transfer.setData('text/plain', filename);
  });
  // Keyboard users get the same file through Enter on the handle.
  grip.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      download.click();
    }
  });
  return handle;
}

function markShared(handle: HTMLElement, filename: string, mimeType: string, url: string): void {
  handle.dataset.share = 'shared';
  handle.dataset.url = url;
  handle.dataset.downloadUrl = downloadUrlData({ filename, mimeType, url }, location.href);
  handle.querySelector('.drag')!.setAttribute('title', `Drag ${filename} into your DAW or onto the desktop`);
}
