// PostgreSQL store URLs: which strings select the store, and how one is shown to people (never
// with its password: not in errors, logs or status).

const SCHEMES = ['postgres://', 'postgresql://'];

export function isPostgresUrl(value: string): boolean {
  const lower = value.toLowerCase();
  return SCHEMES.some((s) => lower.startsWith(s));
}

/** The URL with any password (in the authority or as `?password=`) replaced by `***`. */
export function redactUrl(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)[^@/?#]*@/i, '$1***@');
  out = out.replace(/([?&]password=)[^&#]*/gi, '$1***');
  return out;
}

/** Every password a URL carries (to scrub from error texts that might echo one). */
export function passwordsIn(url: string): string[] {
  const found: string[] = [];
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:([^@/?#]*)@/i.exec(url)?.[1];
  if (authority) found.push(authority, safeDecode(authority));
  for (const match of url.matchAll(/[?&]password=([^&#]*)/gi)) if (match[1]) found.push(match[1], safeDecode(match[1]));
  return [...new Set(found.filter((p) => p.length > 0))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `text` with every password of `url` replaced by `***`. */
export function scrub(text: string, url: string): string {
  let out = text;
  for (const password of passwordsIn(url)) out = out.split(password).join('***');
  return out;
}
