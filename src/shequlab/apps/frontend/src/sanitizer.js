// Stand-ins for '@jupyterlab/apputils' and 'sanitize-html' in the bundle (see build.mjs).
// JupyterLab's rendermime needs apputils only for its HTML sanitizer, and ipywidgets uses
// sanitize-html only to clean widget descriptions; both bring a large HTML parser with them.
// DOMPurify, which uses the browser's own parser, does the same job. Outputs of the app's own
// kernel are trusted and are not sanitised; untrusted HTML and ANSI-coloured text are.
import DOMPurify from 'dompurify';

/** `sanitize-html`'s call, for the options ipywidgets passes (allowed tags and attributes). */
export default function sanitize(dirty, options = {}) {
  const attributes = Object.values(options.allowedAttributes || {})
    .flat()
    .filter((name) => !name.includes('*')); // aria-* is allowed by DOMPurify itself
  return DOMPurify.sanitize(dirty, {
    ...(options.allowedTags ? { ALLOWED_TAGS: options.allowedTags } : {}),
    ...(attributes.length ? { ALLOWED_ATTR: attributes } : {}),
  });
}

/** JupyterLab's ISanitizer. */
export class Sanitizer {
  sanitize(dirty, options) {
    return sanitize(dirty, options);
  }

  getAutolink() {
    return true;
  }

  get allowNamedProperties() {
    return false;
  }
}
