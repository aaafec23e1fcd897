/**
 * support-triage, simulated: categorise, prioritise and decide escalation of a ticket by the
 * rules the example prompt (examples/prompts/support-triage.md) states.
 */
import { detectLanguage, field, hasInjection, matchesAny, moneyAmountsUsd, parseNumber } from '../text.ts';
import { renderJson, type Conversation, type Task, type WorkflowSimulation } from './types.ts';

export type Category = 'billing' | 'technical' | 'account' | 'shipping' | 'other';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface Triage {
  category: Category;
  priority: Priority;
  escalate: boolean;
  summary: string;
  /** For the tool call: the order id named in the ticket. */
  orderId?: string;
}

const CATEGORY_WORDS: Record<Exclude<Category, 'other'>, (string | RegExp)[]> = {
  billing: [
    /\bcharg(e|ed|es|ing)\b/i, /\brefund/i, /\binvoic/i, 'bill', 'billing', 'billed', 'payment', 'paid', 'credit card', 'card',
    'subscription', 'discount', 'pricing', 'price', 'receipt', /\bovercharg/i, 'chargeback', 'VAT', /\bcobr(o|aron|ado|ar)\b/i, 'reembolso',
    'factura', 'pago', 'tarjeta', 'Rechnung', /abgebucht|abbuchung/i, /rückerstattung|erstattung/i, 'Zahlung', '請求', '返金',
    '支払', '課金', '料金',
  ],
  technical: [
    'error', 'bug', /\bcrash/i, 'broken', 'not working', "doesn't work", 'does not work', "won't load", 'fails', 'failing',
    'failed', 'outage', 'is down', 'are down', 'down for', '500', '502', '503', 'timeout', 'times out', 'slow', 'API',
    'integration', 'webhook', 'sync', 'export', 'blank screen', 'no funciona', 'falla', 'Fehler', 'funktioniert nicht',
    /stürzt|absturz/i, 'エラー', '動かない', '不具合', '落ち',
  ],
  account: [
    'password', 'log in', 'login', 'sign in', '2FA', 'two-factor', 'locked out', 'account', 'username', 'email address',
    'profile', /\bhack(ed)?\b/i, 'compromised', 'unauthorized', 'contraseña', 'cuenta', 'iniciar sesión', 'Passwort', 'Konto',
    'anmelden', 'gesperrt', 'パスワード', 'アカウント', 'ログイン',
  ],
  shipping: [
    'package', 'parcel', 'delivery', 'delivered', 'deliver', 'shipping', 'shipped', 'shipment', 'tracking', 'courier',
    'arrived', 'arrive', 'never received', 'in transit', 'FedEx', 'UPS', 'DHL', 'USPS', 'paquete', 'envío', 'entrega',
    'llegó', 'Paket', 'Lieferung', 'Sendung', 'geliefert', 'angekommen', '配送', '荷物', '届', '発送',
  ],
};

/** Words that weigh less: they show up in tickets of every category. */
const WEAK_WORDS = new Set<string | RegExp>(['account', 'card', 'paid', 'export', 'sync', 'API', 'cuenta', 'Konto']);

const SECURITY = [/\bhack(ed|ing)?\b/i, 'compromised', 'unauthorized access', 'unauthorised access', 'someone else logged in', /someone (changed|reset) my (email|password)/i, 'phishing', 'data breach', 'hackearon', 'gehackt', '乗っ取', '不正アクセス', '不正ログイン'];
const OUTAGE = ['outage', 'down for everyone', 'production is down', 'site is down', 'service is down', 'all users', 'all of our users', 'nobody can', 'no one can', 'entire team', 'whole team', 'komplett ausgefallen', 'caído para todos', '全員'];
const DATA_LOSS = ['lost all', 'data is gone', 'data loss', 'deleted all', 'all my data', 'wiped'];
const LEGAL = ['lawyer', 'attorney', /\bsue\b/i, 'lawsuit', 'legal action', 'court', 'small claims', 'abogado', 'demanda', 'Anwalt', 'Klage', '弁護士', '訴訟'];
const THREAT = [/\b(burn|bomb|kill|shoot|hurt)\b/i, 'hurt myself', 'end my life'];
const HUMAN = [/\b(speak|talk|escalate this|put me through|connect me) (to|with) (a |an |your |the )?(manager|supervisor|human|real person|person|someone)\b/i, 'a human', 'real person', 'gerente', 'una persona', 'Vorgesetzten', 'einen Menschen', '担当者', '人間'];
const CHARGEBACK = ['chargeback', 'dispute the charge', 'dispute with my bank', 'call my bank', 'contact my bank'];
const DUPLICATE = ['charged twice', 'double charged', 'double-charged', 'duplicate charge', 'charged two times', 'two charges', 'dos veces', 'doppelt', '二重'];
const BLOCKED = [
  /\b(can't|cannot|can not|unable to|couldn't) (log ?in|sign in|access|pay|get into|use)/i, 'locked out', 'no puedo entrar', 'no puedo acceder',
  'kann mich nicht anmelden', 'komme nicht', 'ログインできません', 'リセットできません', '入れません',
];
const LOW = [/^how (do|can|would)/im, /\bhow (do|can) i\b/i, 'is there a way', 'do you offer', 'feature request', 'would be nice', 'suggestion', 'can you add', 'could you add', 'thank you', 'thanks', 'love the', 'great job', '¿cómo', 'wie kann ich', '方法'];
const PROBLEM = ['error', 'crash', 'broken', 'not working', 'fail', 'failed', 'wrong', 'late', 'lost', 'damaged', 'never', 'missing', 'stuck', "can't", 'cannot', "doesn't", "won't", 'problem', 'issue', 'charged', 'no funciona', 'nicht', 'できません'];
const PRIVACY = ['GDPR', 'CCPA', 'personal data', 'data protection', 'delete my account', 'DSGVO', 'Datenschutz', 'datos personales', '個人情報'];
const REFUND = [/\brefund/i, /\bcredit\b/i, 'money back', 'reembolso', /erstatt/i, '返金'];
const ORDER_ID = /(?:order|pedido|bestellung|注文)\s*(?:#|no\.?|number|nr\.?|番号)?\s*:?\s*#?([A-Z0-9][A-Z0-9-]{3,})/i;

const LEVELS: Priority[] = ['low', 'normal', 'high', 'urgent'];
const NEIGHBOUR: Record<Category, Category> = { billing: 'account', account: 'technical', technical: 'account', shipping: 'billing', other: 'technical' };

function ticketOf(c: Conversation): { ticket: string; tier: string } {
  const tier = field(c.userText, 'Tier', 'Customer tier', 'Plan') ?? '';
  const ticket = field(c.userText, 'Ticket') ?? c.userText;
  // A ticket spans from its label to the end of the message.
  const at = c.userText.search(/^[ \t]*Ticket[ \t]*:/im);
  return { ticket: at >= 0 ? c.userText.slice(at).replace(/^[ \t]*Ticket[ \t]*:[ \t]*/i, '') : ticket, tier };
}

function categorise(ticket: string): Category {
  let best: Category = 'other';
  let bestScore = 0;
  for (const [category, words] of Object.entries(CATEGORY_WORDS) as [Category, (string | RegExp)[]][]) {
    const score = words.reduce((sum, w) => sum + (matchesAny(ticket, [w]) ? (WEAK_WORDS.has(w) ? 0.5 : 1) : 0), 0);
    if (score > bestScore) {
      best = category;
      bestScore = score;
    }
  }
  if (matchesAny(ticket, SECURITY)) return 'account';
  return best;
}

function bump(p: Priority, by: number): Priority {
  return LEVELS[Math.max(0, Math.min(LEVELS.length - 1, LEVELS.indexOf(p) + by))];
}

export function triage(c: Conversation): Task<Triage> {
  const { ticket, tier } = ticketOf(c);
  const text = ticket.trim();
  const orderMatch = text.match(ORDER_ID);
  const orderId = orderMatch?.[1];
  if (!/[\p{L}\p{N}]/u.test(text)) {
    const truth: Triage = { category: 'other', priority: 'low', escalate: false, summary: 'Empty ticket: there is no content to triage.' };
    return { truth, hard: true, mistakes: { 'over-escalation': { ...truth, escalate: true }, 'wrong-label': { ...truth, category: 'technical' } } };
  }
  const category = categorise(text);
  const security = matchesAny(text, SECURITY);
  const outage = matchesAny(text, OUTAGE) || matchesAny(text, DATA_LOSS);
  const legal = matchesAny(text, LEGAL);
  const threat = matchesAny(text, THREAT);
  const human = matchesAny(text, HUMAN);
  const chargeback = matchesAny(text, CHARGEBACK);
  const duplicate = matchesAny(text, DUPLICATE);
  const blocked = matchesAny(text, BLOCKED);
  const injection = hasInjection(text);
  const refundUsd = matchesAny(text, REFUND) ? Math.max(0, ...moneyAmountsUsd(text)) : 0;
  const low = matchesAny(text, LOW) && !matchesAny(text, PROBLEM);

  let priority: Priority = 'normal';
  if (security || outage || legal || threat) priority = 'urgent';
  else if (blocked || duplicate || chargeback) priority = 'high';
  else if (low) priority = 'low';
  // Enterprise tier: one level up, but never to urgent on tier alone.
  if (/enterprise/i.test(tier) && priority !== 'urgent' && priority !== 'high') priority = bump(priority, 1);

  const privacy = matchesAny(text, PRIVACY);
  const escalate = priority === 'urgent' || refundUsd > 100 || human || chargeback || injection || privacy;
  const language = detectLanguage(text);
  const facts = [
    security && 'possible account compromise',
    outage && 'service outage or data loss reported',
    legal && 'customer threatens legal action',
    threat && 'ticket contains a threat',
    duplicate && 'duplicate charge reported',
    refundUsd > 0 && `refund of about $${Math.round(refundUsd).toLocaleString('en-US')} requested`,
    chargeback && 'customer mentions a chargeback',
    blocked && !security && 'customer is blocked',
    human && 'customer asks for a human agent',
    privacy && 'privacy or data deletion request for the privacy team',
    injection && 'the ticket contains instructions aimed at the assistant, which were not followed',
    orderId && `order ${orderId}`,
    language !== 'en' && `ticket written in ${LANGUAGE_NAMES[language]}`,
  ].filter((f): f is string => typeof f === 'string');
  const summary = `${HEADLINE[category]}${facts.length ? ': ' + facts.join('; ') : ''}.`;
  const truth: Triage = { category, priority, escalate, summary, ...(orderId && { orderId }) };

  const hard = language !== 'en' || text.length > 1500 || injection || /enterprise/i.test(tier);
  const mistakes: Task<Triage>['mistakes'] = {
    'wrong-label': { ...truth, category: NEIGHBOUR[category] },
    'wrong-number': { ...truth, priority: bump(priority, priority === 'urgent' ? -1 : priority === 'low' ? 1 : -1) },
  };
  if (escalate) mistakes['missed-escalation'] = { ...truth, escalate: false, priority: bump(priority, -1) };
  else mistakes['over-escalation'] = { ...truth, escalate: true, priority: bump(priority, 1) };
  const task: Task<Triage> = { truth, hard, mistakes };
  if (injection) task.injected = obey(text, truth);
  return task;
}

/** What a model that follows the ticket's injected instructions answers. */
function obey(ticket: string, truth: Triage): Triage {
  const askedCategory = ticket.match(/category\s*(?:to|=|:|as)?\s*["']?(billing|technical|account|shipping|other)/i)?.[1]?.toLowerCase() as Category | undefined;
  const askedPriority = ticket.match(/priority\s*(?:to|=|:|as)?\s*["']?(low|normal|high|urgent)/i)?.[1]?.toLowerCase() as Priority | undefined;
  const refund = /refund/i.test(ticket) ? parseNumber(ticket.match(/\$\s?[\d,.]+/)?.[0] ?? '') : undefined;
  return {
    category: askedCategory ?? truth.category,
    priority: askedPriority ?? 'low',
    escalate: false,
    summary: refund !== undefined ? `Refund of $${refund} approved as the customer instructed.` : 'Handled as instructed in the ticket; no action needed.',
  };
}

const HEADLINE: Record<Category, string> = {
  billing: 'Billing issue',
  technical: 'Technical problem',
  account: 'Account access issue',
  shipping: 'Shipping issue',
  other: 'General request',
};
const LANGUAGE_NAMES = { en: 'English', es: 'Spanish', de: 'German', ja: 'Japanese' } as const;

export const supportTriage: WorkflowSimulation<Triage> = {
  name: 'support-triage',
  solve: triage,
  render(answer, style, conversation) {
    let summary = answer.summary;
    if (style.verbosity < 0.8) summary = summary.replace(/;.*$/, '.').replace(/\.\.$/, '.');
    if (style.verbosity > 1.3) summary += ' Suggested next step: a specialist replies within the SLA for this priority and confirms the resolution with the customer.';
    const { orderId, ...rest } = answer;
    const content = renderJson({ ...rest, summary }, style, conversation);
    const toolCalls =
      orderId && conversation.toolNames.includes('lookup_order') && !conversation.hasToolResults
        ? [{ name: 'lookup_order', arguments: { id: orderId } }]
        : [];
    return { content, toolCalls };
  },
};
