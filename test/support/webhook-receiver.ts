/**
 * A real local HTTP webhook receiver for the alias-event tests: records every request (headers
 * and raw body), answers with scripted status codes (then 200), checks signatures, and counts
 * distinct event IDs the way an idempotent receiver would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, SIGNATURE_HEADER } from '../../src/events/signature';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Event IDs accepted once each (an idempotent receiver's view). */
  applied: string[];
  /** Status codes to answer with, in order, before answering 200. */
  script: number[];
  close(): Promise<void>;
}

export async function startReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const applied: string[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let status = script.shift() ?? 200;
      if (
        status === 200 &&
        !verifySignature(secret, body, req.headers[SIGNATURE_HEADER] as string | undefined)
      )
        status = 401;
      if (status === 200) {
        const id = (JSON.parse(body) as { id: string }).id;
        if (!applied.includes(id)) applied.push(id);
      }
      requests.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hooks/mlpipe`,
    port: actual,
    requests,
    applied,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (a webhook that is down). */
export async function closedPort(): Promise<number> {
  const r = await startReceiver('x');
  await r.close();
  return r.port;
}
