import type { FastifyInstance, FastifyReply } from 'fastify';
import { UI_CSS, UI_HTML, UI_JS } from '../ui.js';

/**
 * Security headers of the UI: no inline script or style, nothing from another origin, not
 * framable, no MIME sniffing, no referrer.
 */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function secure(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/** The web UI (`/`) and its assets, served by the same process (nothing from a CDN). */
export function registerUiRoutes(app: FastifyInstance): void {
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_req, reply) => secure(reply, 'text/html; charset=utf-8').send(UI_HTML));
  app.get('/ui/app.js', hide, (_req, reply) => secure(reply, 'text/javascript; charset=utf-8').send(UI_JS));
  app.get('/ui/app.css', hide, (_req, reply) => secure(reply, 'text/css; charset=utf-8').send(UI_CSS));
}
