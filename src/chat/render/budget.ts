/**
 * How much one chat payload may hold. Slack answers `msg_blocks_too_long` at about 12,000
 * characters of text in a message's blocks (not documented; bolt-js#2509, #2867) and refuses
 * more than 50 blocks (100 in a modal or App Home); Teams refuses a bot message above about 40 KB
 * (`MessageSizeTooBig`). We keep a margin under each: the product's budgets.
 */
export interface SlackBudget {
  blocks: number;
  /** Characters of text in all blocks together (see `slackTextLength`). */
  text: number;
}

/** One Slack message (chat.postMessage, chat.update, an ephemeral, a response_url reply). */
export const SLACK_MESSAGE: SlackBudget = { blocks: 45, text: 11_000 };
/** A modal or the App Home tab (views.open, views.publish). */
export const SLACK_VIEW: SlackBudget = { blocks: 95, text: 11_000 };
/** One Adaptive Card's JSON, in UTF-16 code units (what `JSON.stringify(card).length` counts). */
export const TEAMS_CARD_UTF16 = 28_000;
/** Top-level actions a Teams card shows (the Adaptive Cards host config's maxActions). */
export const TEAMS_MAX_ACTIONS = 5;

/**
 * The text Slack counts: every string under a `text` key anywhere in the blocks (section and
 * context mrkdwn, fields, headers, button labels, confirm dialogs).
 */
export function slackTextLength(blocks: readonly unknown[]): number {
  let n = 0;
  const walk = (x: unknown, key?: string): void => {
    if (typeof x === 'string') {
      if (key === 'text') n += x.length;
      return;
    }
    if (Array.isArray(x)) for (const y of x) walk(y, key);
    else if (x !== null && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, k);
  };
  walk(blocks);
  return n;
}

export function withinSlack(blocks: readonly unknown[], budget: SlackBudget): boolean {
  return blocks.length <= budget.blocks && slackTextLength(blocks) <= budget.text;
}

/** UTF-16 code units of the card's JSON (JavaScript string length). */
export function teamsCardLength(card: unknown): number {
  return JSON.stringify(card).length;
}
