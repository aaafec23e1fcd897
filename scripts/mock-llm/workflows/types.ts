/**
 * What every simulated workflow provides: an oracle that works out the answer a careful human
 * would give (and the plausible wrong answers a weaker model gives), and a renderer that turns
 * an answer into the model's message in a given style.
 */
import type { MistakeKind, WorkflowName } from '../profiles.ts';

/** The request as the simulator reads it. */
export interface Conversation {
  /** The system messages, joined. The first line names the workflow (e.g. `# support-triage`). */
  system: string;
  /** The user and tool messages, joined: what the oracle reads. */
  userText: string;
  /** Names of the tools the request offers. */
  toolNames: string[];
  /** True when the conversation already holds tool results. */
  hasToolResults: boolean;
  /** True when `response_format` asks for JSON: the answer is never fenced then. */
  jsonMode: boolean;
}

export interface SimulatedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface SimulatedAnswer {
  content: string;
  toolCalls: SimulatedToolCall[];
}

export interface Style {
  /** 1 = normal; below terser, above wordier. */
  verbosity: number;
  /** Wrap JSON answers in a ```json fence. */
  fence: boolean;
  /** A uniform [0, 1) draw for small variations (e.g. confidence jitter). */
  random: () => number;
}

export interface Task<T> {
  /** The oracle's answer. */
  truth: T;
  /** Foreign language, missing fields, huge numbers...: weaker models slip more. */
  hard: boolean;
  /** The answer of a model that obeys instructions injected into the user's content. */
  injected?: T;
  /** Plausible wrong answers, by kind; a kind that cannot happen here is absent. */
  mistakes: Partial<Record<MistakeKind, T>>;
}

export interface WorkflowSimulation<T> {
  name: WorkflowName;
  solve(conversation: Conversation): Task<T>;
  render(answer: T, style: Style, conversation: Conversation): SimulatedAnswer;
}

/** JSON answers: compact or pretty by verbosity, fenced when the style says so. */
export function renderJson(value: unknown, style: Style, conversation: Conversation): string {
  const text = style.verbosity > 1.3 ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  return style.fence && !conversation.jsonMode ? '```json\n' + text + '\n```' : text;
}
