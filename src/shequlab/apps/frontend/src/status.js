// The page's one status line (the template's #shequlab-status), for a connection that is gone.

export const LOST = '连接中断，请刷新页面 / Connection lost, please reload the page.';

export function showStatus(text) {
  const el = document.getElementById('shequlab-status');
  el.textContent = text;
  el.hidden = false;
}
