// The page's files, served only from the built page dir (dist/dashboard/page): the dir is listed
// once and only the names found there are served, so no request path can reach anything else.

import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentvisorError } from '../core/errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface PageFile {
  type: string;
  body: Buffer;
}

/** Where the build puts the page (src/dashboard/page is copied there by scripts/build-page.mjs). */
export function defaultPageDir(): string {
  return fileURLToPath(new URL('./page', import.meta.url));
}

export class PageFiles {
  private readonly files = new Map<string, PageFile>();

  constructor(readonly dir: string) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new AgentvisorError('DASHBOARD_UNAVAILABLE', `dashboard: the page is missing from ${dir} (run \`npm run build\`)`, { dir }, { cause: error });
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (type) this.files.set(name, { type, body: readFileSync(join(dir, name)) });
    }
    if (!this.files.has('index.html')) throw new AgentvisorError('DASHBOARD_UNAVAILABLE', `dashboard: no index.html in ${dir} (run \`npm run build\`)`, { dir });
  }

  /** The file a URL path names (`/` is index.html), or null: only top-level names listed at start. */
  find(pathname: string): (PageFile & { name: string }) | null {
    const name = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = this.files.get(name);
    return file ? { ...file, name } : null;
  }

  /** index.html with `?token=` added to its own asset URLs (when every GET needs the token). */
  static withTokenQuery(html: Buffer, token: string): Buffer {
    const query = `?token=${encodeURIComponent(token)}`;
    return Buffer.from(html.toString('utf8').replace(/\b(href|src)="([A-Za-z0-9._-]+\.(?:css|js|svg|png))"/g, `$1="$2${query}"`));
  }
}
