/** `ai-release audit verify` and `audit export`. */
import { openSettingsStore, type Settings } from '../app.ts';
import { EXIT } from '../chat/executor.ts';
import type { CliIo } from './main.ts';
import { takeFlag } from './main.ts';

const USAGE = 'usage: ai-release audit verify | ai-release audit export [--format jsonl|csv] [--since DATE]';

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function auditCli(argv: string[], settings: Settings, io: CliIo): Promise<number> {
  const [sub, ...rest0] = argv;
  const store = await openSettingsStore(settings);
  try {
    await store.migrate();
    if (sub === 'verify') {
      if (rest0.length) {
        io.err(USAGE);
        return EXIT.usage;
      }
      const v = await store.audit.verify();
      if (v.ok) {
        io.out(`audit chain intact: ${v.count} events\nhead ${v.head}`);
        return EXIT.ok;
      }
      io.out(`audit chain BROKEN at event ${v.badSeq}: ${v.message}`);
      return EXIT.failed;
    }
    let rest = rest0;
    const f = takeFlag(rest, 'format');
    rest = f.rest;
    const s = takeFlag(rest, 'since');
    rest = s.rest;
    const format = typeof f.value === 'string' ? f.value : 'jsonl';
    if (rest.length || (format !== 'jsonl' && format !== 'csv')) {
      io.err(`${rest.length ? `unexpected argument ${rest[0]}` : `unknown format "${format}"`}\n${USAGE}`);
      return EXIT.usage;
    }
    let sinceTs: number | undefined;
    if (typeof s.value === 'string') {
      sinceTs = Date.parse(s.value);
      if (Number.isNaN(sinceTs)) {
        io.err(`--since takes a date like 2026-11-01 or an ISO time, not "${s.value}"\n${USAGE}`);
        return EXIT.usage;
      }
    }
    const events = await store.audit.list({ sinceTs }, 'asc');
    if (format === 'jsonl') {
      for (const e of events) io.out(JSON.stringify({ ...e, release_id: e.release_id === null ? null : `REL-${e.release_id}`, time: new Date(e.ts).toISOString() }));
    } else {
      io.out('seq,time,actor,action,workflow,release_id,data,prev_hash,hash');
      for (const e of events)
        io.out([e.seq, new Date(e.ts).toISOString(), e.actor, e.action, e.workflow, e.release_id === null ? '' : `REL-${e.release_id}`, e.data, e.prev_hash, e.hash].map(csvCell).join(','));
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
