// Widget models: each one's state as the kernel last said (or the page changed it), references
// between models ("IPY_MODEL_<id>") resolved when asked for, and the comm messages of the
// ipywidgets protocol (version 2: "update", "echo_update", "custom"; buffers at paths).

const REF = 'IPY_MODEL_';

/** Put each buffer into `state` at its path (e.g. ["value"] for an image's bytes). */
function putBuffers(state, paths, buffers) {
  paths.forEach((path, i) => {
    let target = state;
    for (const key of path.slice(0, -1)) {
      target = target[key];
    }
    target[path[path.length - 1]] = buffers[i];
  });
}

function base64Buffer(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new DataView(bytes.buffer);
}

export class Model {
  constructor(store, id, spec, state) {
    this.store = store;
    this.id = id;
    this.name = spec.model_name;
    this.module = spec.model_module;
    this.state = state;
    this.listeners = new Set();
    this.closers = new Set();
  }

  get(key) {
    return this.state[key];
  }

  /** The model a reference attribute (layout, style) names, or null. */
  ref(key) {
    return this.store.resolve(this.state[key]);
  }

  /** The models a list attribute (children) names; closed ones left out. */
  refs(key) {
    return (this.state[key] || []).map((r) => this.store.resolve(r)).filter(Boolean);
  }

  /** Listen to changes: `fn(changes, source)`; returns the function that stops listening. */
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Call `fn()` when the kernel closes this widget; returns the function that stops it. */
  onClose(fn) {
    this.closers.add(fn);
    return () => this.closers.delete(fn);
  }

  close() {
    for (const fn of [...this.closers]) {
      fn();
    }
    this.listeners.clear();
    this.closers.clear();
  }

  /** The kernel (or a view) changed the state. */
  apply(changes, source) {
    Object.assign(this.state, changes);
    for (const fn of [...this.listeners]) {
      fn(changes, source);
    }
  }

  /** A view changed the state: tell the other views and the kernel. */
  set(changes, source) {
    this.apply(changes, source);
    this.send({ method: 'update', state: changes, buffer_paths: [] });
  }

  /** A custom message to the kernel's widget (a button's click, a text's submit). */
  custom(content) {
    this.send({ method: 'custom', content });
  }

  send(data) {
    this.store.kernel.sendComm(this.id, data);
  }
}

export class Store {
  /** @param {(spec) => boolean} known whether this client can show a model of that kind */
  constructor(known) {
    this.known = known;
    this.models = new Map();
    this.saved = new Map();
    this.kernel = null; // set once connected
  }

  /** The state the server recorded with the page (application/vnd.jupyter.widget-state+json). */
  useSaved(embedded) {
    this.saved = new Map(Object.entries(embedded.state));
  }

  /** The saved models this client cannot show (the page then needs the full client). */
  unknownSaved() {
    return [...this.saved.values()].filter((spec) => !this.known(spec));
  }

  get(id) {
    const saved = this.saved.get(id);
    if (saved) {
      this.saved.delete(id);
      const state = saved.state;
      if (saved.buffers) {
        putBuffers(state, saved.buffers.map((b) => b.path), saved.buffers.map((b) => base64Buffer(b.data)));
      }
      this.models.set(id, new Model(this, id, saved, state));
    }
    return this.models.get(id) || null;
  }

  resolve(ref) {
    return typeof ref === 'string' && ref.startsWith(REF) ? this.get(ref.slice(REF.length)) : null;
  }

  /** An iopub message: widgets the kernel opens, updates and closes. */
  handle(msg) {
    const { content } = msg;
    const type = msg.header.msg_type;
    if (type === 'comm_open' && content.target_name === 'jupyter.widget') {
      const { state, buffer_paths: paths = [] } = content.data;
      putBuffers(state, paths, msg.buffers || []);
      const spec = { model_name: state._model_name, model_module: state._model_module };
      this.saved.delete(content.comm_id);
      this.models.set(content.comm_id, new Model(this, content.comm_id, spec, state));
      return;
    }
    const model = this.get(content.comm_id);
    if (!model) {
      return;
    }
    if (type === 'comm_close') {
      this.models.delete(model.id);
      model.close();
    } else if (type === 'comm_msg') {
      const { data } = content;
      // An echo repeats what this page sent; the page already shows it.
      if (data.method === 'update') {
        putBuffers(data.state, data.buffer_paths || [], msg.buffers || []);
        model.apply(data.state, null);
      }
    }
  }
}
