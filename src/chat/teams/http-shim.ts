/**
 * The Express-like request/response the Bot Framework adapter expects (`req.body`, `req.headers`,
 * `res.status()`, `res.header()`, `res.send()`, `res.end()`), over node's own HTTP objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ShimRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ShimResponse {
  status(code: number): ShimResponse;
  header(name: string, value: string): ShimResponse;
  send(body: unknown): ShimResponse;
  end(): void;
}

export function shimRequest(req: IncomingMessage, body: unknown): ShimRequest {
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
}

export function shimResponse(res: ServerResponse): ShimResponse {
  let status = 200;
  const headers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  const shim: ShimResponse = {
    status(code) {
      status = code;
      return shim;
    },
    header(name, value) {
      headers[name.toLowerCase()] = value;
      return shim;
    },
    send(body) {
      if (body === undefined || body === null) return shim;
      if (Buffer.isBuffer(body)) chunks.push(body);
      else if (typeof body === 'string') {
        chunks.push(Buffer.from(body));
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else {
        chunks.push(Buffer.from(JSON.stringify(body)));
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
      return shim;
    },
    end() {
      if (res.headersSent) return void res.end();
      const payload = Buffer.concat(chunks);
      res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
      res.end(payload);
    },
  };
  return shim;
}
