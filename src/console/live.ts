/**
 * Live updates: every committed event (from this process, the CLI, a job, Slack, Teams) is
 * pushed to the connected browsers as a server-sent event `{kind, release, workflow}`; the page
 * re-fetches the fragments it shows for that release or workflow.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredEvent } from '../store/repos/events.ts';

export interface LiveUpdate {
  id: number;
  kind: string;
  release: string | null;
  workflow: string | null;
}

export const liveUpdateOf = (e: StoredEvent): LiveUpdate => ({
  id: e.id,
  kind: e.kind,
  release: e.releaseId === null ? null : `REL-${e.releaseId}`,
  workflow: e.workflow,
});

export class LiveUpdates {
  private clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private heartbeatMs = 15_000) {}

  get connected(): number {
    return this.clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const c of this.clients) c.write(': keep-alive\n\n');
      }, this.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  publish(u: LiveUpdate): void {
    const frame = `id: ${u.id}\nevent: change\ndata: ${JSON.stringify({ kind: u.kind, release: u.release, workflow: u.workflow })}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
