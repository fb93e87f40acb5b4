// The page's status: its one status line (the template's #shequlab-status), for a connection
// that is gone, and whether its widgets showed (body[data-widgets], which tests wait for).

export const LOST = '连接中断，请刷新页面 / Connection lost, please reload the page.';

export function showStatus(text) {
  const el = document.getElementById('shequlab-status');
  el.textContent = text;
  el.hidden = false;
}

/** Every widget was put in place (`shown`), or some could not be. */
export function widgetsDone(shown) {
  performance.mark('shequlab:widgets');
  document.body.dataset.widgets = shown ? 'ready' : 'error';
}

/** The widgets could not be made, or the client not loaded. */
export function widgetsFailed(error) {
  console.error(error);
  document.body.dataset.widgets = 'error';
  showStatus(LOST);
}
