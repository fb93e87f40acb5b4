// Build the app page's assets into the Voila template's static folder:
//   shequlab-app.js          the page script (src/app.js: the light widget client), bundled;
//   shequlab-widgets.js      the full ipywidgets client (src/index.js), which shequlab-app.js
//                            loads for a page with widgets it does not draw;
//   shequlab-icons.css       Font Awesome, for widget icons (loaded after the page);
//   shequlab.css             the page's one stylesheet: JupyterLab's light theme, the part of
//                            its stylesheet an app page uses and the widgets' styles, minified
//                            (a room's phones each fetch and parse it at the same moment).
// `make install` runs this with LAB_CSS set to nbconvert's lab stylesheet in the venv.
import * as esbuild from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import postcss from 'postcss';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, '..', 'share', 'voila', 'templates', 'shequlab', 'static');

const result = await esbuild.build({
  entryPoints: {
    'shequlab-app': path.join(here, 'src', 'app.js'),
    'shequlab-widgets': path.join(here, 'src', 'index.js'),
    'shequlab-icons': path.join(here, 'src', 'icons.css'),
  },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'linked',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  // Two HTML sanitizers with a large parser each are replaced by DOMPurify (see src/sanitizer.js).
  alias: { '@jupyterlab/apputils': './src/sanitizer.js', 'sanitize-html': './src/sanitizer.js' },
  banner: { js: 'performance.mark("shequlab:bundle");' },
  logLevel: 'warning',
  metafile: true,
});

// JupyterLab's stylesheet (240 KB) styles a whole IDE; an app page shows rendered Markdown and
// outputs. Keep the rules for those (and plain element rules), drop the rest and the icon images.
const USED = /\.(jp-(Rendered|OutputArea|Cell|Notebook|MarkdownOutput|mod-|Collapser)|lm-(Widget|Panel))/;
const labCss = process.env.LAB_CSS;
if (!labCss) {
  throw new Error('LAB_CSS must name nbconvert\'s lab stylesheet (templates/lab/static/index.css)');
}
const root = postcss.parse(readFileSync(labCss, 'utf8'));
root.walkRules((rule) => {
  if (rule.selector === ':root') {
    rule.walkDecls(/^--jp-icon-/, (decl) => decl.remove());
  } else if (!rule.selectors.some((s) => USED.test(s) || !s.includes('.'))) {
    rule.remove();
  }
});
root.walkAtRules((at) => {
  if (at.nodes && at.nodes.length === 0) {
    at.remove();
  }
});
const theme = readFileSync(path.join(path.dirname(labCss), 'theme-light.css'), 'utf8');
const widgetsCss = path.join(outdir, 'shequlab-app.css'); // the page script's imports
const { code: pageCss } = await esbuild.transform(
  [theme, root.toString(), readFileSync(widgetsCss, 'utf8')].join('\n'),
  { loader: 'css', minify: true, legalComments: 'none' },
);
rmSync(widgetsCss);
writeFileSync(path.join(outdir, 'shequlab.css'), pageCss);

const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => /\.(js|css)$/.test(file) && !file.endsWith('shequlab-app.css'))
  .map(([file, info]) => [file, info.bytes]);
sizes.push(['shequlab.css', pageCss.length]);
for (const [file, bytes] of sizes) {
  console.log(`${path.basename(file)}  ${(bytes / 1024).toFixed(0)} KiB`);
}
