import { redact } from '../redact/redact';

/** RFC 9110 `token`: what a header name is made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The headers of every push, checked once when the options are: a value fetch would refuse
 * (a line break, a NUL, a character past U+00FF) is a configuration error that names its
 * header and never shows the value, which is most often a credential. Checked by fetch's own
 * `Headers`, so that what passes here never fails at send time.
 */
export function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new TypeError('obsweave: push: headers must be an object of strings');
  }
  const out: Record<string, string> = {};
  const probe = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    const shown = JSON.stringify(redact(name));
    if (!TOKEN.test(name)) throw new TypeError(`obsweave: push: invalid header name ${shown}`);
    if (typeof value !== 'string') {
      throw new TypeError(`obsweave: push: header ${shown} must be a string, got ${typeof value}`);
    }
    try {
      probe.append(name, value);
    } catch {
      // fetch's message quotes the value.
      throw new TypeError(
        `obsweave: push: header ${shown} has a value fetch refuses (a line break, a NUL or a ` +
          'character past U+00FF); the value is not shown',
      );
    }
    out[name] = value;
  }
  return out;
}
