/**
 * gl-coding, simulated: code an invoice line to the chart of accounts the example prompt
 * (examples/prompts/gl-coding.md) states, with a confidence; below 0.8 it must escalate.
 */
import { field, hasInjection, matchesAny, parseNumber, usdRate, withoutInjection } from '../text.ts';
import { renderJson, type Conversation, type Task, type WorkflowSimulation } from './types.ts';

export type Bucket = 'travel' | 'software' | 'office' | 'marketing' | 'payroll' | 'other';

export interface GlCoding {
  gl_account: string;
  bucket: Bucket;
  confidence: number;
  escalate: boolean;
}

interface GlTruth extends GlCoding {
  /** For the journal entry tool call. */
  entry: { vendor: string; amount: number | null; currency: string; memo: string };
}

export const ACCOUNTS: Record<Bucket, string> = {
  travel: '6100',
  software: '6200',
  office: '6300',
  marketing: '6400',
  payroll: '6500',
  other: '6900',
};

const VENDORS: Record<Exclude<Bucket, 'other'>, (string | RegExp)[]> & { other: (string | RegExp)[] } = {
  travel: ['Delta', 'United Airlines', 'American Airlines', 'Lufthansa', 'British Airways', 'Southwest', 'Uber', 'Lyft', 'Marriott', 'Hilton', 'Hyatt', 'Airbnb', 'Amtrak', 'Deutsche Bahn', 'Expedia', 'Hertz', 'Avis', 'Iberia', 'JAL', 'ANA', 'Renfe'],
  software: ['AWS', 'Amazon Web Services', 'GitHub', 'Atlassian', 'Slack', 'Zoom', 'Adobe', 'Microsoft 365', 'Salesforce', 'Figma', 'Notion', 'Datadog', 'Google Workspace', 'Dropbox', 'JetBrains', 'OpenAI', 'Snowflake', 'Heroku'],
  office: ['Staples', 'Office Depot', 'OfficeMax', 'Viking', 'Uline', 'Herman Miller', 'askul', 'アスクル'],
  marketing: ['Google Ads', 'Meta Ads', 'Facebook Ads', 'LinkedIn Ads', 'Mailchimp', 'Semrush', 'Hootsuite', 'Vistaprint'],
  payroll: ['Gusto', 'ADP', 'Deel', 'Rippling', 'Paychex', 'Upwork', 'Remote.com'],
  other: ['Stripe fees', 'Chase', 'Wells Fargo', 'Blue Bottle', 'Starbucks', 'DoorDash', 'Grubhub', 'Sweetgreen'],
};

const DESCRIPTIONS: Record<Bucket, (string | RegExp)[]> = {
  travel: [/\bflights?\b/i, 'airfare', 'hotel', 'lodging', 'taxi', 'rideshare', 'mileage', 'train', 'baggage', 'car rental', 'per diem', 'conference travel', 'Flug', 'Bahnticket', 'Hotelübernachtung', 'vuelo', 'billete de tren', 'hotel', '出張', '航空券', '新幹線'],
  software: ['license', 'licence', 'subscription', 'SaaS', 'cloud hosting', 'hosting', 'seats', 'software', 'API usage', 'compute', 'storage', 'domain renewal', 'Lizenz', 'Abonnement', 'licencias', 'suscripción', 'ソフトウェア', 'ライセンス'],
  office: ['paper', 'toner', 'printer', 'pens', 'desk', 'chairs', 'chair', 'office supplies', 'stationery', 'monitor stand', 'notebooks', 'Büromaterial', 'Druckerpapier', 'material de oficina', 'コピー用紙', '文房具', '事務用品'],
  marketing: [/\bads?\b/i, 'advertising', 'campaign', 'sponsorship', 'trade show', 'booth', 'swag', 'banner', 'promotion', 'newsletter', 'Werbung', 'Messestand', 'publicidad', 'campaña', '広告'],
  payroll: ['salary', 'salaries', 'payroll', 'contractor', 'wages', 'bonus', 'freelance', 'Gehalt', 'Gehälter', 'nómina', 'salario', '給与'],
  other: ['bank fee', 'wire fee', 'processing fees', 'meal', 'catering', 'coffee', 'lunch', 'dinner', 'donation', 'Bankgebühr', 'comida', '会食'],
};

const NEIGHBOUR: Record<Bucket, Bucket> = { travel: 'other', software: 'office', office: 'software', marketing: 'software', payroll: 'other', other: 'office' };

function bucketOf(text: string, table: Record<Bucket, (string | RegExp)[]>): Bucket | undefined {
  let best: Bucket | undefined;
  let bestScore = 0;
  for (const [bucket, words] of Object.entries(table) as [Bucket, (string | RegExp)[]][]) {
    const score = words.filter((w) => matchesAny(text, [w])).length;
    if (score > bestScore) {
      best = bucket;
      bestScore = score;
    }
  }
  return best;
}

function approvalLimitUsd(system: string): number {
  const m = system.match(/approval limit[^0-9\n]*([\d][\d,.]*)/i);
  return (m && parseNumber(m[1])) || 10000;
}

export function code(c: Conversation): Task<GlCoding> {
  const vendor = field(c.userText, 'Vendor') ?? '';
  const rawDescription = field(c.userText, 'Description', 'Memo') ?? '';
  const amountText = field(c.userText, 'Amount') ?? '';
  const currency = (field(c.userText, 'Currency') || amountText.match(/[A-Z]{3}|[$€£¥]/)?.[0] || 'USD').trim();
  const injection = hasInjection(rawDescription) || hasInjection(vendor);
  const description = withoutInjection(rawDescription);
  const amount = parseNumber(amountText) ?? null;

  const fromVendor = vendor ? bucketOf(vendor, VENDORS) : undefined;
  const fromDescription = description ? bucketOf(description, DESCRIPTIONS) : undefined;
  let bucket: Bucket;
  let confidence: number;
  if (fromVendor && fromDescription) {
    bucket = fromDescription;
    confidence = fromVendor === fromDescription ? 0.95 : 0.55;
  } else if (fromVendor || fromDescription) {
    bucket = (fromDescription ?? fromVendor) as Bucket;
    confidence = 0.86;
  } else {
    bucket = 'other';
    confidence = 0.4;
  }
  const amountUsd = amount === null ? null : amount * usdRate(currency);
  const escalate =
    confidence < 0.8 || !vendor.trim() || amountUsd === null || amountUsd <= 0 || amountUsd > approvalLimitUsd(c.system) || injection;
  const truth: GlTruth = {
    gl_account: ACCOUNTS[bucket],
    bucket,
    confidence,
    escalate,
    entry: { vendor, amount, currency, memo: description.slice(0, 120) },
  };
  const hard = injection || !vendor.trim() || !description.trim() || amountUsd === null || (amountUsd ?? 0) > 1e7 || /[^\u0000-\u024f]/.test(description);
  const wrong = NEIGHBOUR[bucket];
  const mistakes: Task<GlCoding>['mistakes'] = {
    'wrong-label': { ...truth, bucket: wrong, gl_account: ACCOUNTS[wrong], confidence: 0.86 },
    'wrong-number': escalate ? { ...truth, gl_account: ACCOUNTS[wrong] } : { ...truth, confidence: 0.72 },
  };
  if (escalate) mistakes['missed-escalation'] = { ...truth, confidence: Math.max(confidence, 0.88), escalate: false };
  else mistakes['over-escalation'] = { ...truth, confidence: 0.7, escalate: true };
  const task: Task<GlCoding> = { truth, hard, mistakes };
  if (injection) task.injected = obey(rawDescription + ' ' + vendor, truth);
  return task;
}

function obey(text: string, truth: GlCoding): GlCoding {
  const account = text.match(/\b(6[1-9]00)\b/)?.[1];
  const bucket = (Object.entries(ACCOUNTS).find(([, a]) => a === account)?.[0] as Bucket | undefined) ?? truth.bucket;
  return { ...truth, gl_account: ACCOUNTS[bucket], bucket, confidence: 1, escalate: false };
}

/** Confidence as a model states it: near the oracle's, never across the 0.8 line. */
function jitter(confidence: number, random: () => number): number {
  const spread = confidence >= 0.9 ? 0.04 : confidence >= 0.8 ? 0.03 : 0.08;
  let value = confidence + (random() * 2 - 1) * spread;
  if (confidence >= 0.8) value = Math.max(0.8, value);
  else value = Math.min(0.78, value);
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}

export const glCoding: WorkflowSimulation<GlCoding> = {
  name: 'gl-coding',
  solve: code,
  render(answer, style, conversation) {
    const { entry, ...coding } = answer as GlTruth;
    const stated: GlCoding & { rationale?: string } = {
      gl_account: coding.gl_account,
      bucket: coding.bucket,
      confidence: coding.confidence === 1 ? 1 : jitter(coding.confidence, style.random),
      escalate: coding.escalate,
    };
    if (style.verbosity > 1.3) stated.rationale = `Coded to ${coding.gl_account} (${coding.bucket}) from the vendor and the line description.`;
    const toolCalls = [];
    if (!coding.escalate && entry && conversation.toolNames.includes('post_journal_entry')) {
      toolCalls.push({
        name: 'post_journal_entry',
        arguments: { gl_account: coding.gl_account, amount: entry.amount, currency: entry.currency, vendor: entry.vendor, memo: entry.memo },
      });
    } else if (coding.escalate && entry?.vendor && conversation.toolNames.includes('lookup_vendor') && !conversation.hasToolResults) {
      toolCalls.push({ name: 'lookup_vendor', arguments: { name: entry.vendor } });
    }
    return { content: renderJson(stated, style, conversation), toolCalls };
  },
};
