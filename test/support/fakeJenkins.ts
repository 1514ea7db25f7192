import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the three Jenkins endpoints a poll reads (queue, computers, job tree).
 * It answers an empty but valid Jenkins, except under the path prefixes of `failing`, which
 * answer 500 with an HTML page, as a broken Jenkins does.
 */
export async function startFakeJenkins(failing: readonly string[] = []): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (failing.some((f) => path.startsWith(f))) {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>Oops</body></html>');
      return;
    }
    const body = path.startsWith('/queue/') ? { items: [] } : path.startsWith('/computer/') ? { computer: [] } : { jobs: [] };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
