// Views of the ipywidgets controls the room's apps use, drawn with the same elements and CSS
// classes as @jupyter-widgets/controls 5 (so its stylesheet, and our tests' selectors, apply
// unchanged), without Backbone, jQuery or Lumino. Each view is a function
// (model, el, ctx) => update(changes); `mount` adds what every widget has (layout, style,
// _dom_classes, tooltip) and keeps the view in step with its model until the model closes.

const CONTROLS = '@jupyter-widgets/controls';
const BASE = '@jupyter-widgets/base';
const STYLE_CLASSES = {
  primary: ['mod-primary'],
  success: ['mod-success'],
  info: ['mod-info'],
  warning: ['mod-warning'],
  danger: ['mod-danger'],
};
const BOX_CLASSES = {
  success: ['alert', 'alert-success'],
  info: ['alert', 'alert-info'],
  warning: ['alert', 'alert-warning'],
  danger: ['alert', 'alert-danger'],
};

// The style models' properties: trait -> [selector inside the view ('' is the view), CSS
// attribute], as @jupyter-widgets/controls declares them.
const DESCRIPTION = { description_width: ['.widget-label', 'width'] };
const FONT = {
  font_family: ['', 'font-family'],
  font_size: ['', 'font-size'],
  font_style: ['', 'font-style'],
  font_variant: ['', 'font-variant'],
  font_weight: ['', 'font-weight'],
  text_color: ['', 'color'],
  text_decoration: ['', 'text-decoration'],
};
const STRING = { ...DESCRIPTION, background: ['', 'background'], font_size: ['', 'font-size'], text_color: ['', 'color'] };
const INPUT = {
  ...DESCRIPTION,
  background: ['.widget-input', 'background'],
  font_size: ['.widget-input', 'font-size'],
  text_color: ['.widget-input', 'color'],
};
export const STYLES = {
  DescriptionStyleModel: DESCRIPTION,
  ButtonStyleModel: { button_color: ['', 'background-color'], ...FONT },
  HTMLStyleModel: STRING,
  LabelStyleModel: { ...STRING, ...FONT },
  TextStyleModel: INPUT,
  CheckboxStyleModel: { ...DESCRIPTION, background: ['', 'background'] },
  ToggleButtonsStyleModel: {
    ...DESCRIPTION,
    button_width: ['.widget-toggle-button', 'width'],
    font_weight: ['.widget-toggle-button', 'font-weight'],
  },
};

function element(tag, className) {
  const el = document.createElement(tag);
  if (className) {
    el.className = className;
  }
  return el;
}

function setClasses(el, map, previous, current) {
  el.classList.remove(...(map[previous] || []));
  el.classList.add(...(map[current] || []));
}

let iconsStylesheet = null; // the icon font's stylesheet, loaded when the first icon shows

/** Where the icon font's stylesheet is (beside the page script). */
export function useIconsFrom(url) {
  iconsStylesheet = url;
}

function icon(name) {
  if (iconsStylesheet) {
    const link = element('link');
    link.rel = 'stylesheet';
    link.href = iconsStylesheet;
    document.head.appendChild(link);
    iconsStylesheet = null;
  }
  const i = element('i', 'fa');
  i.classList.add(...name.split(/\s+/).filter(Boolean).map((v) => `fa-${v}`));
  return i;
}

/** The description label of controls that have one (hidden when empty). */
function label(model, el) {
  const lbl = element('label', 'widget-label');
  el.appendChild(lbl);
  return () => {
    const text = model.get('description') || '';
    lbl.style.display = text ? '' : 'none';
    if (model.get('description_allow_html')) {
      lbl.innerHTML = text;
    } else {
      lbl.textContent = text;
    }
    lbl.title = model.get('tooltip') || '';
  };
}

function box(kind) {
  return (model, el, ctx) => {
    el.className = `lm-Widget lm-Panel jupyter-widgets widget-container widget-box ${kind}`;
    const children = ctx.children(el);
    return (changes) => {
      if ('children' in changes) {
        children(model.refs('children'));
      }
      if ('box_style' in changes) {
        setClasses(el, BOX_CLASSES, el.dataset.boxStyle, model.get('box_style'));
        el.dataset.boxStyle = model.get('box_style');
      }
    };
  };
}

function html(model, el) {
  el.className = 'lm-Widget jupyter-widgets widget-inline-hbox widget-html';
  const description = label(model, el);
  const content = element('div', 'widget-html-content');
  el.appendChild(content);
  return (changes) => {
    description();
    if ('value' in changes) {
      content.innerHTML = model.get('value');
    }
  };
}

function text(type) {
  return (model, el, ctx) => {
    el.className = 'lm-Widget jupyter-widgets widget-inline-hbox widget-text';
    const description = label(model, el);
    const input = element('input', 'widget-input');
    input.type = type;
    el.appendChild(input);
    const change = () => model.set({ value: input.value }, ctx.view);
    input.addEventListener('keydown', (e) => e.stopPropagation());
    input.addEventListener('keypress', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter') {
        model.custom({ event: 'submit' });
      }
    });
    input.addEventListener('input', () => model.get('continuous_update') && change());
    input.addEventListener('change', change);
    return (changes, source) => {
      description();
      if (source !== ctx.view && input.value !== model.get('value')) {
        input.value = model.get('value');
      }
      input.disabled = model.get('disabled');
      input.placeholder = model.get('placeholder') || '';
    };
  };
}

function intText(model, el, ctx) {
  el.className = 'lm-Widget jupyter-widgets widget-inline-hbox widget-text';
  const description = label(model, el);
  const input = element('input');
  input.type = 'number';
  input.required = true;
  el.appendChild(input);
  const change = () => {
    let value = parseInt(input.value, 10);
    if (Number.isNaN(value)) {
      input.value = model.get('value');
      return;
    }
    const [min, max] = [model.get('min'), model.get('max')];
    value = Math.max(min ?? value, Math.min(max ?? value, value));
    if (String(value) !== input.value) {
      input.value = value;
    }
    if (value !== model.get('value')) {
      model.set({ value }, ctx.view);
    }
  };
  input.addEventListener('keydown', (e) => e.stopPropagation());
  input.addEventListener('keypress', (e) => /[e,. ]/.test(e.key) && e.preventDefault());
  input.addEventListener('input', () => {
    const typed = input.value.trim();
    if (typed !== '' && !['-', '+'].includes(typed) && model.get('continuous_update')) {
      change();
    }
  });
  input.addEventListener('change', change);
  return (changes, source) => {
    description();
    const value = model.get('value');
    if (source !== ctx.view && parseInt(input.value, 10) !== value) {
      input.value = String(value);
    }
    for (const key of ['min', 'max']) {
      if (model.get(key) !== undefined) {
        input[key] = model.get(key);
      }
    }
    input.step = model.get('step') ?? '1';
    input.disabled = model.get('disabled');
  };
}

function button(model, el) {
  el.className = 'lm-Widget jupyter-widgets jupyter-button widget-button';
  el.addEventListener('click', (e) => {
    e.preventDefault();
    model.custom({ event: 'click' });
  });
  let style = '';
  return () => {
    el.disabled = model.get('disabled');
    const description = model.get('description') || '';
    const name = model.get('icon') || '';
    el.title = model.get('tooltip') ?? description;
    if (description || name) {
      el.textContent = '';
      if (name) {
        const i = icon(name);
        i.classList.toggle('center', !description);
        el.appendChild(i);
      }
      el.appendChild(document.createTextNode(description));
    }
    setClasses(el, STYLE_CLASSES, style, model.get('button_style'));
    style = model.get('button_style');
  };
}

function dropdown(model, el, ctx) {
  el.className = 'lm-Widget jupyter-widgets widget-inline-hbox widget-dropdown';
  const description = label(model, el);
  const select = element('select');
  el.appendChild(select);
  select.addEventListener('change', () =>
    model.set({ index: select.selectedIndex === -1 ? null : select.selectedIndex }, ctx.view),
  );
  return (changes) => {
    description();
    if ('_options_labels' in changes) {
      select.textContent = '';
      for (const item of model.get('_options_labels')) {
        const option = element('option');
        option.textContent = item.replace(/ /g, '\xa0');
        option.value = item;
        option.dataset.value = encodeURIComponent(item);
        select.appendChild(option);
      }
    }
    const index = model.get('index');
    select.selectedIndex = index === null ? -1 : index;
    select.disabled = model.get('disabled');
  };
}

function toggleButtons(model, el, ctx) {
  el.className = 'lm-Widget jupyter-widgets widget-inline-hbox widget-toggle-buttons';
  const description = label(model, el);
  const group = element('div');
  el.appendChild(group);
  group.addEventListener('click', (e) => {
    const target = e.target.closest('button');
    if (target && !target.disabled) {
      model.set({ index: parseInt(target.value, 10) }, ctx.view);
      model.custom({ event: 'click' });
    }
  });
  return (changes) => {
    description();
    if ('_options_labels' in changes || 'icons' in changes || 'tooltips' in changes || 'button_style' in changes) {
      const icons = model.get('icons') || [];
      const tips = model.get('tooltips') || [];
      group.textContent = '';
      model.get('_options_labels').forEach((item, index) => {
        const b = element('button', 'widget-toggle-button jupyter-button');
        b.type = 'button';
        b.classList.add(...(STYLE_CLASSES[model.get('button_style')] || []));
        b.textContent = item.trim() || (icons[index] ? '' : '\xa0');
        b.dataset.value = encodeURIComponent(item);
        b.value = String(index);
        if (icons[index]) {
          b.appendChild(icon(icons[index]));
        }
        if (tips[index]) {
          b.title = tips[index];
        }
        group.appendChild(b);
      });
    }
    group.querySelectorAll('button').forEach((b, index) => {
      b.classList.toggle('mod-active', model.get('index') === index);
      b.disabled = model.get('disabled');
    });
  };
}

/** A tab panel, with the elements and classes of Lumino's TabPanel as ipywidgets uses it. */
function tab(model, el, ctx) {
  el.className = 'lm-Widget lm-TabPanel jupyter-widgets widget-container jupyter-widget-tab widget-tab';
  const bar = element('div', 'lm-Widget lm-TabBar widget-tab-bar lm-TabBar-horizontal');
  const list = element('ul', 'lm-TabBar-content');
  list.setAttribute('role', 'tablist');
  bar.appendChild(list);
  const stack = element('div', 'lm-Widget lm-StackedPanel lm-TabPanel-stackedPanel widget-tab-contents');
  el.append(bar, stack);
  const children = ctx.children(stack);
  list.addEventListener('click', (e) => {
    const li = e.target.closest('li');
    const index = li ? [...list.children].indexOf(li) : -1;
    if (index >= 0 && index !== model.get('selected_index')) {
      model.set({ selected_index: index }, null);
    }
  });
  return (changes) => {
    if ('children' in changes) {
      children(model.refs('children'));
    }
    const titles = model.get('titles') || [];
    const selected = model.get('selected_index');
    list.textContent = '';
    [...stack.children].forEach((page, index) => {
      const current = index === selected;
      const li = element('li', `lm-TabBar-tab${current ? ' lm-mod-current' : ''}`);
      li.setAttribute('role', 'tab');
      li.setAttribute('aria-selected', String(current));
      const title = element('div', 'lm-TabBar-tabLabel');
      title.textContent = titles[index] || '';
      li.append(element('div', 'lm-TabBar-tabIcon'), title, element('div', 'lm-TabBar-tabCloseIcon'));
      list.appendChild(li);
      page.classList.toggle('lm-mod-hidden', !current);
    });
  };
}

function image(model, el) {
  el.className = 'lm-Widget jupyter-widgets widget-image';
  return (changes) => {
    if (!('value' in changes || 'format' in changes || 'width' in changes || 'height' in changes)) {
      return;
    }
    const value = model.get('value');
    const old = el.src;
    el.src =
      model.get('format') === 'url'
        ? new TextDecoder('utf-8').decode(value)
        : URL.createObjectURL(new Blob([value], { type: `image/${model.get('format')}` }));
    if (old.startsWith('blob:')) {
      URL.revokeObjectURL(old);
    }
    for (const key of ['width', 'height']) {
      if (model.get(key)) {
        el.setAttribute(key, model.get(key));
      } else {
        el.removeAttribute(key);
      }
    }
  };
}

const VIEWS = {
  BoxModel: ['div', box('')],
  HBoxModel: ['div', box('widget-hbox')],
  VBoxModel: ['div', box('widget-vbox')],
  HTMLModel: ['div', html],
  TextModel: ['div', text('text')],
  PasswordModel: ['div', text('password')],
  IntTextModel: ['div', intText],
  BoundedIntTextModel: ['div', intText],
  ButtonModel: ['button', button],
  DropdownModel: ['div', dropdown],
  ToggleButtonsModel: ['div', toggleButtons],
  TabModel: ['div', tab],
  ImageModel: ['img', image],
};

/** Whether this client shows a model of this kind (a view, a style or a layout). */
export function known(spec) {
  if (spec.model_module === BASE) {
    return spec.model_name === 'LayoutModel';
  }
  return spec.model_module === CONTROLS && (spec.model_name in VIEWS || spec.model_name in STYLES);
}

/** Apply a layout or style model's CSS to a view's element; returns what undoes it. */
function cssOf(model, el, table) {
  const targets = (selector) => (selector ? [...el.querySelectorAll(selector)] : [el]);
  const rules = Object.keys(model.state)
    .filter((key) => (table ? key in table : !key.startsWith('_')))
    .map((key) => (table ? [...table[key], model.get(key)] : ['', key.replace(/_/g, '-'), model.get(key)]));
  for (const [selector, attribute, value] of rules) {
    for (const target of targets(selector)) {
      if (value === null || value === undefined) {
        target.style.removeProperty(attribute);
      } else {
        target.style.setProperty(attribute, value);
      }
    }
  }
  return () => rules.forEach(([selector, attribute]) => targets(selector).forEach((t) => t.style.removeProperty(attribute)));
}

/**
 * A live view of `model`: its element, kept in step with the model (and its layout and style
 * models) until the model closes or `dispose` is called.
 */
export function mount(model) {
  const entry = VIEWS[model.name];
  if (!entry) {
    const el = element('div', 'shequlab-widget-error');
    el.textContent = '此部件无法显示 / This widget could not be shown.';
    console.error(`widget ${model.module}.${model.name} is not available in the light client`);
    return { el, dispose() {} };
  }
  const el = element(entry[0]);
  const stops = [];
  const view = { el, dispose: () => stops.splice(0).forEach((stop) => stop()) };
  const ctx = {
    view,
    /** Keep `host`'s children the views of a list of models, reusing the views it has. */
    children(host) {
      let current = new Map();
      stops.push(() => current.forEach((child) => child.dispose()));
      return (models) => {
        if (models.map((m) => m.id).join() === [...current.keys()].join()) {
          return;
        }
        const next = new Map();
        for (const child of models) {
          next.set(child.id, current.get(child.id) || mount(child));
        }
        current.forEach((child, id) => next.has(id) || child.dispose());
        host.textContent = ''; // (not replaceChildren: older phones lack it)
        next.forEach((child) => host.appendChild(child.el));
        current = next;
      };
    },
  };
  const update = entry[1](model, el, ctx);
  let classes = [];
  // The layout and style models: their CSS applied, and applied again when they change.
  const css = (key, table) => {
    let undo = () => {};
    let stop = () => {};
    let current = null;
    const apply = () => {
      undo();
      const properties = current ? table(current) : undefined;
      undo = properties !== undefined ? cssOf(current, el, properties) : () => {};
    };
    stops.push(() => stop());
    return () => {
      const m = model.ref(key);
      if (m !== current) {
        stop();
        current = m;
        stop = m ? m.on(apply) : () => {};
      }
      apply();
    };
  };
  const layout = css('layout', () => null);
  const style = css('style', (m) => STYLES[m.name]);
  const refresh = (changes, source) => {
    update(changes, source);
    if ('_dom_classes' in changes) {
      el.classList.remove(...classes);
      classes = model.get('_dom_classes') || [];
      el.classList.add(...classes);
    }
    if ('layout' in changes) {
      layout();
    }
    style(); // after every update: a view may have made new elements the style selects
    if (model.get('tooltip') && !model.get('description') && model.name !== 'ButtonModel') {
      el.title = model.get('tooltip');
    }
  };
  refresh(model.state, null);
  stops.push(model.on(refresh));
  stops.push(model.onClose(() => {
    view.dispose();
    el.remove();
  }));
  return view;
}
