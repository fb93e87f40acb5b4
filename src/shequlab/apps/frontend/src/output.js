// The Output widget: its outputs render with the page's rendermime registry (HTML tables,
// Markdown, images, text). Outputs arrive either as the model's `outputs` state (how
// shequlab.apps shows results) or, while the kernel runs code inside `with output:`, as
// messages captured by msg_id, as in JupyterLab.
import * as outputBase from '@jupyter-widgets/output';
import { MimeModel } from '@jupyterlab/rendermime';
import { JupyterLuminoPanelWidget } from '@jupyter-widgets/base';
import $ from 'jquery';

const OUTPUT_TYPES = new Set(['execute_result', 'display_data', 'stream', 'error']);

export class OutputModel extends outputBase.OutputModel {
  defaults() {
    return { ...super.defaults(), msg_id: '', outputs: [] };
  }

  initialize(attributes, options) {
    super.initialize(attributes, options);
    this._clearOnNext = false;
    this.listenTo(this, 'change:msg_id', this._capture);
  }

  _capture() {
    const kernel = this.widget_manager.kernel;
    if (this._hook) {
      kernel.removeMessageHook(this._msgId, this._hook);
      this._hook = null;
    }
    this._msgId = this.get('msg_id');
    if (!this._msgId) {
      return;
    }
    this._hook = (msg) => {
      const type = msg.header.msg_type;
      if (type === 'clear_output') {
        if (msg.content.wait) {
          this._clearOnNext = true;
        } else {
          this._setOutputs([]);
        }
        return false;
      }
      if (!OUTPUT_TYPES.has(type)) {
        return true;
      }
      const output = { output_type: type, ...msg.content };
      const outputs = this._clearOnNext ? [] : [...this.get('outputs')];
      this._clearOnNext = false;
      outputs.push(output);
      this._setOutputs(outputs);
      return false; // shown here, not anywhere else
    };
    kernel.registerMessageHook(this._msgId, this._hook);
  }

  _setOutputs(outputs) {
    this.set('outputs', outputs);
    this.save_changes();
  }
}

function mimeBundle(output) {
  switch (output.output_type) {
    case 'stream':
      return { [`application/vnd.jupyter.${output.name}`]: [].concat(output.text).join('') };
    case 'error':
      return { 'application/vnd.jupyter.stderr': `${output.ename}: ${output.evalue}` };
    default:
      return output.data || {};
  }
}

export class OutputView extends outputBase.OutputView {
  // The view's element is a Lumino panel, so rendered outputs are its child widgets.
  _createElement() {
    this._panel = new JupyterLuminoPanelWidget({ view: this });
    this.luminoWidget = this._panel;
    return this._panel.node;
  }

  _setElement(el) {
    if (this.el || el !== this._panel.node) {
      throw new Error('Cannot reset the DOM element.');
    }
    this.el = this._panel.node;
    this.$el = $(this.el);
  }

  render() {
    super.render();
    this._panel.addClass('jupyter-widgets');
    this._panel.addClass('widget-output');
    this._panel.addClass('jp-OutputArea');
    this._generation = 0;
    this.listenTo(this.model, 'change:outputs', this._renderOutputs);
    this._renderOutputs();
  }

  async _renderOutputs() {
    const generation = ++this._generation;
    const rendermime = this.model.widget_manager.renderMime;
    const children = [];
    for (const output of this.model.get('outputs')) {
      const data = mimeBundle(output);
      const mimeType = rendermime.preferredMimeType(data, 'any');
      if (!mimeType) {
        continue;
      }
      const renderer = rendermime.createRenderer(mimeType);
      renderer.addClass('jp-OutputArea-output');
      await renderer.renderModel(new MimeModel({ data, metadata: output.metadata || {}, trusted: true }));
      children.push(renderer);
    }
    if (generation !== this._generation) {
      children.forEach((child) => child.dispose()); // newer outputs arrived meanwhile
      return;
    }
    this._clear();
    children.forEach((child) => this._panel.addWidget(child));
  }

  _clear() {
    while (this._panel.widgets.length) {
      this._panel.widgets[0].dispose();
    }
  }

  remove() {
    this._clear();
    return super.remove();
  }
}
