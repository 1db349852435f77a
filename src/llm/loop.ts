import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ToolAnswer } from './mcp-remote.ts';
import type { ModelClient, ToolCall } from './model.ts';
import type { ToolBox } from './toolbox.ts';

/** The model used its every step on tools without answering. */
export class StepLimitError extends Error {
  override name = 'StepLimitError';
}

/** What {@link runToolLoop} needs. */
export interface ToolLoopOptions {
  model: ModelClient;
  tools: ToolBox;
  messages: ChatCompletionMessageParam[];
  /** Model calls allowed. */
  maxSteps: number;
  /** Epoch ms by which the turn must end. */
  deadline: number;
  /** The whole text written so far (every step's text, joined by a blank line). */
  onText(text: string): void;
  /** Records a tool call before it runs and its answer after; may answer from an earlier run (replay). */
  callTool(call: ToolCall, step: number): Promise<ToolAnswer>;
}

/**
 * The tool loop: call the model; if it asks for tools, run each (through `callTool`), hand back
 * the answers, and call it again; stop when it answers without tools, or after `maxSteps` calls.
 * Returns the reply: the text of every step, joined (what was streamed). Throws ModelError,
 * MalformedOutputError or StepLimitError.
 */
export async function runToolLoop(o: ToolLoopOptions): Promise<string> {
  const messages = [...o.messages];
  const parts: string[] = [];
  const shown = () => parts.filter((p) => p.trim()).join('\n\n');
  for (let step = 1; step <= o.maxSteps; step++) {
    parts.push('');
    const i = parts.length - 1;
    const answer = await o.model.complete(messages, o.tools.definitions, o.deadline, (delta) => {
      parts[i] += delta;
      o.onText(shown());
    });
    if (answer.toolCalls.length === 0) return shown();
    messages.push({
      role: 'assistant',
      content: answer.text || null,
      tool_calls: answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    });
    for (const call of answer.toolCalls) {
      const result = await o.callTool(call, step);
      messages.push({ role: 'tool', tool_call_id: call.id, content: result.isError ? `ERROR: ${result.text}` : result.text });
    }
  }
  throw new StepLimitError(`the model was still calling tools after ${o.maxSteps} steps`);
}
