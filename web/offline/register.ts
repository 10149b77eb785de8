import { SW_FILE } from './precache.js';

/** Registers the service worker that keeps the app shell for offline use; main.ts calls it in production builds only. */
export function registerOfflineShell(): void {
  if (!('serviceWorker' in navigator)) return; // not a secure context, or no support: the page works online as before
  const register = () => {
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}${SW_FILE}`, { scope: import.meta.env.BASE_URL }).catch((e: unknown) => {
      console.warn('vmsieve: offline use is unavailable:', e);
    });
  };
  // After load, so that fetching the shell again does not compete with the first screen.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
