// Entry point: styles, then the app into #root.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles/tokens.css';
import './styles/base.css';
import './styles/overlays.css';
import './styles/layout.css';
import './styles/library.css';
import './styles/runbook.css';
import './styles/run.css';
import './styles/remote.css';
import './styles/hosts.css';
import './styles/terminal.css';
import { App } from './app/App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
