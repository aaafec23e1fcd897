/** The one Prometheus registry served at GET /metrics. */
import { Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ai_release_process_' });
