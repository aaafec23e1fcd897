/** What every Slack listener gets: the runtime and the outbox. */
import type { Runtime } from '../../server/runtime.ts';
import type { SlackOutbox } from './outbox.ts';

export interface OpenModal {
  user: string;
  channel?: string;
  responseUrl?: string;
  at: number;
}

export interface SlackDeps {
  rt: Runtime;
  outbox: SlackOutbox;
  /** Reason modals opened from a click, by view id: where to answer their submission. */
  modals: Map<string, OpenModal>;
  /** Re-publishes a user's App Home tab. */
  publishHome(user: string): Promise<void>;
  /** PUBLIC_URL: where cut cards link to the console. */
  consoleUrl?: string;
}

/** The `dedupe` key of one Slack delivery. */
export const deliveryKey = (team: string | undefined, ...parts: (string | undefined)[]): string => `slack:${team ?? '-'}:${parts.map((p) => p ?? '-').join(':')}`;
