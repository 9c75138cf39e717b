/**
 * The server token, for a server reachable beyond this machine (STUDIO_TOKEN). Open the page as
 * `http://host:8080/#token=...` once: the token moves to session storage and out of the address bar.
 */
export const TOKEN_STORAGE_KEY = 'studio.token';

export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, decodeURIComponent(match[1]!));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY);
}
