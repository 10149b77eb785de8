import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { forgetPrivateExports } from './lib/private-exports.js';
import { registerOfflineShell } from './offline/register.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });

// An export kept in private storage (where the browser could neither save nor stream it) lives as long as its page:
// deleted as the page goes, and again here in case the browser stopped before that finished.
void forgetPrivateExports();
addEventListener('pagehide', () => void forgetPrivateExports());

// Only built apps work offline: in development (`vite`) a service worker would serve stale code.
if (import.meta.env.PROD) registerOfflineShell();
