/**
 * How the simulator answers one chat request: a critic verdict, a workflow answer (the
 * oracle's, a plausible mistake, or an obeyed injection, by the model's profile), or a
 * generic helpful reply for prompts it does not recognise.
 */
import { criticReply, isCriticRequest } from './critic.ts';
import type { ModelProfile, WorkflowName } from './profiles.ts';
import type { Random } from './random.ts';
import { glCoding } from './workflows/gl-coding.ts';
import { kpiNarrative } from './workflows/kpi-narrative.ts';
import { salesEmail } from './workflows/sales-email.ts';
import { supportTriage } from './workflows/support-triage.ts';
import type { Conversation, SimulatedAnswer, WorkflowSimulation } from './workflows/types.ts';

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
}

export interface ChatRequestView {
  messages: ChatMessage[];
  tools?: { type?: string; function?: { name?: string } }[];
  response_format?: { type?: string };
}

const SIMULATIONS: Record<WorkflowName, WorkflowSimulation<any>> = {
  'support-triage': supportTriage,
  'gl-coding': glCoding,
  'sales-email': salesEmail,
  'kpi-narrative': kpiNarrative,
};

/** Message content as text: strings as they are, content parts joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : '')).join('');
  }
  return '';
}

export function conversationOf(req: ChatRequestView): Conversation {
  const text = (roles: string[]) =>
    req.messages
      .filter((m) => roles.includes(m.role))
      .map((m) => contentText(m.content))
      .join('\n');
  return {
    system: text(['system', 'developer']),
    userText: text(['user', 'tool', 'function']),
    toolNames: (req.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string'),
    hasToolResults: req.messages.some((m) => m.role === 'tool' || m.role === 'function'),
    jsonMode: req.response_format?.type === 'json_object' || req.response_format?.type === 'json_schema',
  };
}

/** The workflow a system prompt belongs to: its first line is `# <workflow>`. */
export function workflowOf(system: string): WorkflowName | undefined {
  const m = system.match(/^\s*#\s*([a-z-]+)\b/);
  return m && m[1] in SIMULATIONS ? (m[1] as WorkflowName) : undefined;
}

export interface AnswerOutcome extends SimulatedAnswer {
  /** What happened, for logs and tests: correct, a mistake kind, injected, critic or generic. */
  behaviour: string;
}

export function answer(req: ChatRequestView, profile: ModelProfile, random: Random): AnswerOutcome {
  const conversation = conversationOf(req);
  if (isCriticRequest(conversation.system)) {
    return { content: criticReply(conversation.userText, random), toolCalls: [], behaviour: 'critic' };
  }
  const workflow = workflowOf(conversation.system);
  if (!workflow) return { content: genericReply(conversation.userText, profile), toolCalls: [], behaviour: 'generic' };

  const simulation = SIMULATIONS[workflow];
  const task = simulation.solve(conversation);
  const style = { verbosity: profile.verbosity, fence: random.chance(profile.fenceRate), random: () => random.next() };
  if (task.injected && !random.chance(profile.injectionResistance)) {
    return { ...simulation.render(task.injected, style, conversation), behaviour: 'injected' };
  }
  const accuracy = Math.max(0, profile.accuracy[workflow] - (task.hard ? profile.hardPenalty : 0));
  if (random.chance(accuracy)) return { ...simulation.render(task.truth, style, conversation), behaviour: 'correct' };

  const options = Object.entries(task.mistakes).filter(([, a]) => a !== undefined);
  const weighted = options.map(([kind, a]) => ({ item: [kind, a] as const, weight: profile.mistakes[kind as keyof typeof profile.mistakes] ?? 0 }));
  const pick = random.weighted(weighted) ?? random.weighted(options.map(([kind, a]) => ({ item: [kind, a] as const, weight: 1 })));
  if (!pick) return { ...simulation.render(task.truth, style, conversation), behaviour: 'correct' };
  return { ...simulation.render(pick[1], style, conversation), behaviour: pick[0] };
}

function genericReply(user: string, profile: ModelProfile): string {
  const asked = user.trim().replace(/\s+/g, ' ');
  const quote = asked.length > 120 ? asked.slice(0, 117) + '...' : asked;
  const lines = [
    quote ? `Here is a simulated answer to: "${quote}"` : 'Here is a simulated answer.',
    'This reply comes from the ai-release mock LLM simulator, not a real model: it recognises the example workflows by their prompt and answers anything else generically.',
  ];
  if (profile.verbosity > 1.3) lines.push('Point OPENAI_BASE_URL at a real OpenAI-compatible endpoint to get real answers.');
  return lines.join('\n\n');
}
