import type { FastifyInstance, FastifyReply } from 'fastify';
import { uiAssets } from '../ui/assets.js';

/**
 * Security headers of the UI: no inline script or style, nothing from another origin, not
 * framable, no MIME sniffing, no referrer.
 */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function secure(reply: FastifyReply, type: string, cacheControl: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', cacheControl);
}

/**
 * The web UI's pages (`/`, `/cluster`, `/job?name=`, `/queue`, `/alerts`) and their files under
 * `/ui/` (scripts, styles, the uPlot build from node_modules), served by the same process
 * (nothing from a CDN), each with an ETag (`If-None-Match` → 304).
 */
export function registerUiRoutes(app: FastifyInstance): void {
  const hide = { schema: { hide: true } };
  for (const a of uiAssets()) {
    app.get(a.path, hide, (req, reply) => {
      secure(reply, a.type, a.cacheControl).header('etag', a.etag);
      const match = req.headers['if-none-match'];
      if (match !== undefined && match.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etag)) return reply.code(304).send();
      return reply.send(a.body);
    });
  }
}
