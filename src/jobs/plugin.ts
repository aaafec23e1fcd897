/**
 * The jobs surface: node-cron only schedules; each job is a plain function of (context, now) run
 * under its lease row in the `jobs` table, so two processes (or an overrun) never run it twice at
 * once. Canary analysis every 10 s (each release is judged every tick while its stage is young,
 * else once a minute), approval reminders every 5 minutes, digests on DIGEST_CRON
 * (default 09:00) in TZ (default UTC). Nothing lives only in memory: a restart picks up from SQLite.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { StartupError } from '../app.ts';
import type { Runtime, ServerPlugin } from '../server/runtime.ts';
import { runCanaryJob } from './canary.ts';
import { runDigestJob } from './digest.ts';
import { runLeased } from './lease.ts';
import { runReminderJob } from './reminders.ts';

export const DEFAULT_DIGEST_CRON = '0 9 * * *';

interface JobSpec {
  name: string;
  cron: string;
  /** How long a run may hold the lease before another process may take over (a crashed run). */
  leaseMs: number;
  run(rt: Runtime, now: number): unknown;
}

export function jobSpecs(digestCron: string): JobSpec[] {
  return [
    {
      name: 'canary',
      cron: '*/10 * * * * *',
      leaseMs: 5 * 60_000,
      run: async (rt, now) => (await runCanaryJob(rt.ctx, now, rt.settings.tz)).filter((o) => o.action !== 'none'),
    },
    { name: 'reminders', cron: '*/5 * * * *', leaseMs: 5 * 60_000, run: (rt, now) => runReminderJob(rt.ctx, now) },
    { name: 'digest', cron: digestCron, leaseMs: 30 * 60_000, run: (rt, now) => runDigestJob(rt.ctx, now, rt.settings.tz) },
  ];
}

function checkSchedule(digestCron: string, tz: string): void {
  if (!cron.validate(digestCron))
    throw new StartupError(`DIGEST_CRON "${digestCron}" is not a valid cron expression (e.g. "0 9 * * *" for 09:00 every day)`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new StartupError(`TZ "${tz}" is not a time zone (e.g. UTC, Europe/Berlin, America/New_York)`);
  }
}

/** Runs one job now under its lease (what each cron tick does). */
export async function runJobNow(rt: Runtime, spec: JobSpec): Promise<void> {
  const now = rt.ctx.now();
  try {
    const r = await runLeased(rt.ctx.store, `job:${spec.name}`, now, spec.leaseMs, () => spec.run(rt, now));
    if (!r.ran) rt.log.debug('job skipped', { job: spec.name, reason: r.reason });
    else if (Array.isArray(r.value) && r.value.length) rt.log.info('job acted', { job: spec.name, result: r.value });
  } catch (e) {
    rt.log.error('job failed', { job: spec.name, error: (e as Error).message, stack: (e as Error).stack });
  }
  rt.kick();
}

export function jobsPlugin(rt: Runtime): ServerPlugin {
  const digestCron = rt.env.DIGEST_CRON?.trim() || DEFAULT_DIGEST_CRON;
  const tz = rt.settings.tz;
  checkSchedule(digestCron, tz);
  const tasks: ScheduledTask[] = [];
  return {
    name: 'jobs',
    start() {
      for (const spec of jobSpecs(digestCron)) {
        const task = cron.createTask(spec.cron, () => runJobNow(rt, spec), { name: `ai-release:${spec.name}`, timezone: tz, noOverlap: true });
        task.start();
        tasks.push(task);
      }
      rt.log.info('jobs scheduled', { canary: 'every 10 s while a stage is young (30 min), then every minute', reminders: 'every 5 minutes', digest: digestCron, tz });
    },
    async stop() {
      for (const t of tasks.splice(0)) await t.destroy();
    },
  };
}
