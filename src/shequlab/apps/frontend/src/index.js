// The full widget client of shequlab's Voila apps (shequlab-widgets.js), for pages with widgets
// the light page script (src/app.js, which loads this one) does not draw: an Output, a slider.
//
// It creates every widget from the state the server sent with the page, puts each view where
// the notebook displayed it, and connects them to the page's kernel, with ipywidgets' own
// manager and controls. It replaces Voila's JupyterLab-based page app, which loads an
// application shell and its extensions and asks the kernel for every widget before the first
// one shows. Its styles are in the page's stylesheet (shequlab.css); the light script adds the
// icon font's before loading this one.

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';
import { marked } from 'marked';

import * as output from './output';
import { showStatus, widgetsDone, widgetsFailed, LOST } from './status';

const WIDGET_TARGET = 'jupyter.widget';
const VIEW_MIMETYPE = 'application/vnd.jupyter.widget-view+json';
const STATE_MIMETYPE = 'application/vnd.jupyter.widget-state+json';
const MODULES = {
  '@jupyter-widgets/base': base,
  '@jupyter-widgets/controls': controls,
  '@jupyter-widgets/output': output,
};

/** A widget shown inside an Output widget (e.g. a table a choice produced). */
class WidgetRenderer extends Panel {
  constructor(options, manager) {
    super();
    this.mimeType = options.mimeType;
    this.manager = manager;
  }

  async renderModel(model) {
    const { model_id: modelId } = model.data[this.mimeType];
    const view = await this.manager.create_view(await this.manager.get_model(modelId));
    this.addWidget(view.luminoWidget);
  }
}

/** Widgets live in the page's kernel: comms go over the kernel's websocket. */
class KernelWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    this.renderMime = new RenderMimeRegistry({
      initialFactories: standardRendererFactories,
      markdownParser: { render: (source) => Promise.resolve(marked.parse(source)) },
    });
    this.renderMime.addFactory(
      { safe: false, mimeTypes: [VIEW_MIMETYPE], createRenderer: (o) => new WidgetRenderer(o, this) },
      0,
    );
    // Widgets the kernel creates later (a new table after a choice) arrive as comm opens.
    kernel.registerCommTarget(WIDGET_TARGET, (comm, msg) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), msg),
    );
  }

  loadClass(className, moduleName) {
    const module = MODULES[moduleName];
    if (module && module[className]) {
      return Promise.resolve(module[className]);
    }
    return Promise.reject(new Error(`widget ${moduleName}.${className} is not available`));
  }

  async display_view(view, el) {
    Widget.attach((await view).luminoWidget, el);
  }

  _comm(targetName, modelId) {
    return new base.shims.services.Comm(this.kernel.createComm(targetName, modelId));
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this._comm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, {}, metadata, buffers);
    }
    return comm;
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: WIDGET_TARGET });
    return reply.content.comms;
  }

  /** Keep the state the server recorded; each model is made from it when first asked for. */
  useSavedState(embedded) {
    this._saved = new Map(Object.entries(embedded.state));
  }

  _makeSaved(modelId) {
    const saved = this._saved && this._saved.get(modelId);
    if (!saved) {
      return;
    }
    this._saved.delete(modelId);
    const state = saved.state;
    if (saved.buffers) {
      const buffers = saved.buffers.map(
        (b) => new DataView(Uint8Array.from(atob(b.data), (c) => c.charCodeAt(0)).buffer),
      );
      base.put_buffers(state, saved.buffers.map((b) => b.path), buffers);
    }
    // new_model registers the model before it deserialises the state, so the models it refers
    // to (children, layouts) are made on demand through get_model below.
    this.new_model(
      {
        model_name: saved.model_name,
        model_module: saved.model_module,
        model_module_version: saved.model_module_version,
        model_id: modelId,
        comm: this._comm(WIDGET_TARGET, modelId),
      },
      state,
    ).catch((error) => console.error(error));
  }

  has_model(modelId) {
    this._makeSaved(modelId);
    return super.has_model(modelId);
  }

  get_model(modelId) {
    this._makeSaved(modelId);
    return super.get_model(modelId);
  }

  /** The saved models no view asked for: the kernel may still update them. */
  makeRemaining() {
    return Promise.all([...(this._saved || new Map()).keys()].map((id) => this.get_model(id)));
  }
}

function connect(config) {
  const baseUrl = new URL(config.baseUrl, window.location.href).href;
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    token: '',
    appendToken: false,
  });
  return new KernelConnection({ model: { id: config.kernelId, name: 'python3' }, serverSettings, handleComms: true });
}

async function showView(manager, script) {
  const { model_id: modelId } = JSON.parse(script.textContent);
  if (!manager.has_model(modelId)) {
    return true; // closed before the page was sent: nothing to show
  }
  const host = document.createElement('div');
  script.replaceWith(host);
  try {
    await manager.display_view(manager.create_view(await manager.get_model(modelId)), host);
    return true;
  } catch (error) {
    console.error(error);
    host.className = 'shequlab-widget-error';
    host.textContent = '此部件无法显示 / This widget could not be shown.';
    return false;
  }
}

function nextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Put each widget where the notebook displayed it; true when all of them showed. */
async function renderViews(manager) {
  const slots = Array.from(document.querySelectorAll(`script[type="${VIEW_MIMETYPE}"]`));
  if (slots.length === 0) {
    return true;
  }
  // The first widget (the app's header) is shown and painted before the rest are made.
  const first = await showView(manager, slots[0]);
  performance.mark('shequlab:first-widget');
  await nextPaint();
  performance.mark('shequlab:first-paint');
  const rest = await Promise.all(slots.slice(1).map((script) => showView(manager, script)));
  return first && rest.every(Boolean);
}

async function main() {
  // Marks (shequlab:bundle, :script, :first-widget, :first-paint, :widgets) time the page's
  // start in the browser's performance panel.
  performance.mark('shequlab:script');
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const kernel = connect(config);
  const manager = new KernelWidgetManager(kernel);
  window.shequlab = { kernel, manager }; // for the browser console
  kernel.connectionStatusChanged.connect((_, status) => {
    if (status === 'disconnected') {
      showStatus(LOST);
    }
  });
  // The template writes the state after the cells; a notebook without widgets has none.
  const saved = document.querySelector(`script[type="${STATE_MIMETYPE}"]`);
  try {
    if (saved) {
      manager.useSavedState(JSON.parse(saved.textContent));
    }
    const shown = await renderViews(manager);
    await manager.makeRemaining();
    widgetsDone(shown);
  } catch (error) {
    widgetsFailed(error);
  }
}

main();
