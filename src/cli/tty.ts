import { UsageError } from './client.ts';

/** True when both stdin and stdout are a terminal: prompts, menus and wizards may run. */
export const isInteractive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

/** The prompt library, loaded only when a prompt is shown (it is not needed otherwise). */
export const prompts = () => import('@inquirer/prompts');

/**
 * Asks "`question`" on a terminal (default no); without one, `--force` must be given. Resolves
 * true to go on.
 */
export async function confirmOrForce(question: string, force: boolean | undefined, command: string): Promise<boolean> {
  if (force) return true;
  if (!isInteractive()) throw new UsageError('this asks for confirmation: pass --force to run it without a terminal', command);
  const { confirm } = await prompts();
  return confirm({ message: question, default: false });
}

/**
 * Fills missing values: on a terminal asks for each with `ask`; without one throws a single usage
 * error naming every missing flag.
 */
export async function fillMissing<K extends string>(
  missing: { key: K; flag: string; ask: () => Promise<string> }[],
  command: string,
  context = '',
): Promise<Partial<Record<K, string>>> {
  if (missing.length === 0) return {};
  if (!isInteractive()) throw new UsageError(`${context ? `${context} ` : ''}needs ${missing.map((m) => m.flag).join(', ')}`, command);
  const out: Partial<Record<K, string>> = {};
  for (const m of missing) out[m.key] = await m.ask();
  return out;
}
