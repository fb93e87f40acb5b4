// The page script of shequlab's Voila apps (shequlab-app.js).
//
// The server has already run the notebook (in a preheated kernel) and sent its outputs as HTML,
// together with the state of every widget the notebook made. What is left for the browser is
// the widgets: this script shows each one where the notebook displayed it, from that state at
// once, and connects them to the page's kernel for interaction.
//
// A room of 30-60 phones opens the same app at once, so the script a phone must run first is
// kept small: the controls the workshop apps use (boxes, HTML, text and number fields, buttons,
// dropdowns, toggle buttons, tabs, images) are drawn here, with ipywidgets' own elements and
// CSS classes, over the kernel's websocket (src/lite). A page with any other widget (an Output,
// a slider, ...) loads the full ipywidgets client instead (shequlab-widgets.js, src/index.js).

// The widgets' styles, which the build puts into the page's one stylesheet (shequlab.css).
import '@lumino/widgets/style/index.css';
import '@jupyter-widgets/controls/css/widgets-base.css';
import './app.css';

import { known, mount, useIconsFrom } from './lite/controls';
import { Kernel } from './lite/kernel';
import { Store } from './lite/store';
import { showStatus, widgetsDone, widgetsFailed, LOST } from './status';

const VIEW_MIMETYPE = 'application/vnd.jupyter.widget-view+json';
const STATE_MIMETYPE = 'application/vnd.jupyter.widget-state+json';
const FULL_CLIENT = 'shequlab-widgets.js';
const ICONS = 'shequlab-icons.css';

/** A file of the app template's static folder (where the page's script was built). */
function beside(config, name) {
  return new URL(`voila/static/${name}`, new URL(config.baseUrl, window.location.href)).href;
}

/** Load the full ipywidgets client; it takes the page over. */
function loadFullClient(config) {
  document.body.dataset.client = 'full';
  const icons = document.createElement('link');
  icons.rel = 'stylesheet';
  icons.href = beside(config, ICONS);
  document.head.appendChild(icons);
  const full = document.createElement('script');
  full.src = beside(config, FULL_CLIENT);
  full.onerror = () => widgetsFailed(new Error(`${FULL_CLIENT} did not load`));
  document.head.appendChild(full);
}

function kernelUrl(config) {
  const base = new URL(config.baseUrl, window.location.href);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${base.href}api/kernels/${encodeURIComponent(config.kernelId)}/channels`;
}

/** Put each widget where the notebook displayed it; true when all of them showed. */
function renderViews(store) {
  let shown = true;
  for (const script of document.querySelectorAll(`script[type="${VIEW_MIMETYPE}"]`)) {
    const { model_id: modelId } = JSON.parse(script.textContent);
    const model = store.get(modelId);
    if (!model) {
      continue; // closed before the page was sent: nothing to show
    }
    const view = mount(model);
    script.replaceWith(view.el);
    shown = shown && !view.el.classList.contains('shequlab-widget-error');
  }
  return shown;
}

function main() {
  performance.mark('shequlab:script');
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const saved = document.querySelector(`script[type="${STATE_MIMETYPE}"]`);
  const store = new Store(known);
  try {
    if (saved) {
      store.useSaved(JSON.parse(saved.textContent));
    }
    if (store.unknownSaved().length > 0) {
      loadFullClient(config);
      return;
    }
    document.body.dataset.client = 'light';
    useIconsFrom(beside(config, ICONS));
    store.kernel = new Kernel(kernelUrl(config), (msg) => store.handle(msg), () => showStatus(LOST));
    window.shequlab = { store }; // for the browser console
    widgetsDone(renderViews(store));
  } catch (error) {
    widgetsFailed(error);
  }
}

// The page carries this script inline, before the widgets' saved state: start once it is parsed.
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', main);
} else {
  main();
}
