// The receipt writer's thread (see receipt-sink.ts). The sources are TypeScript run through tsx
// (no build step), and a worker thread does not inherit the parent's loader: register it here.
import { register } from 'tsx/esm/api';

register();
await import('./receipt-worker.ts');
