/** Replaces the password of every URL in `text` with ***, so credentials never reach logs or errors. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]*)@/gi, '$1***@');
}
