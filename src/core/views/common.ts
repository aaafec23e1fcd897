/** Small cards every verb uses: results, refusals, usage errors, help. */
import type { Card } from '../card.ts';

export function resultCard(title: string, text: string, ref?: Card['ref']): Card {
  return { kind: 'result', title, tone: 'success', blocks: [{ type: 'text', text }], ...(ref ? { ref } : {}) };
}

export function refusalCard(message: string, rule?: string): Card {
  return {
    kind: 'error',
    title: 'Refused',
    tone: 'danger',
    blocks: [{ type: 'text', text: message }, ...(rule ? [{ type: 'context' as const, text: `rule: ${rule}` }] : [])],
  };
}

export function usageCard(message: string, usage: string): Card {
  return {
    kind: 'error',
    title: message,
    tone: 'warning',
    blocks: [{ type: 'code', text: usage }],
  };
}

export function helpCard(text: string): Card {
  return { kind: 'help', title: 'ai-release help', tone: 'info', blocks: [{ type: 'code', text }] };
}

export function noticeCard(title: string, text: string, tone: Card['tone'] = 'info', ref?: Card['ref']): Card {
  return { kind: 'alert', title, tone, blocks: [{ type: 'text', text }], ...(ref ? { ref } : {}) };
}
