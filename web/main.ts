import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { registerOfflineShell } from './offline/register.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });

// Only built apps work offline: in development (`vite`) a service worker would serve stale code.
if (import.meta.env.PROD) registerOfflineShell();
