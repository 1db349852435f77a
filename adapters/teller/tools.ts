import { z } from 'zod';
import type { AdapterServices, DataSourceTool, IntegrationInfo, ToolOutcome } from '../../src/channel/index.ts';
import { TellerError, type TellerClient } from './client.ts';
import type { TellerSecrets } from './connect.ts';
import { TellerAccount, TellerBalances, TellerTransaction } from './schema.ts';

/** Transactions per page when the model does not say: 50. Teller's `count`; at most 500. */
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

const AccountId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'an account id from teller_accounts (acc_…)');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** The public face of an account: no links, no enrollment internals. */
const accountView = (a: TellerAccount) => ({
  id: a.id,
  name: a.name,
  institution: a.institution.name,
  type: a.type,
  subtype: a.subtype ?? null,
  last_four: a.last_four ?? null,
  currency: a.currency,
  status: a.status,
});

const json = (v: unknown): ToolOutcome => ({ text: JSON.stringify(v, null, 2) });
const fail = (t: string): ToolOutcome => ({ text: t, isError: true });

/** A Teller tool bound to one enrollment. */
interface EnrollmentTool {
  name: string;
  title: string;
  description: string;
  inputSchema?: z.ZodRawShape;
  run(args: Record<string, any>): Promise<ToolOutcome>;
}

/**
 * The Teller tools as the hub offers them ({@link DataSourceTool}): the hub picks the granted
 * enrollment (`integration_id` with several) and each call runs that enrollment's tool.
 */
export function tellerDataTools(services: AdapterServices, client: () => TellerClient): DataSourceTool[] {
  const template = tellerTools(services, client, { name: 'the linked bank' } as IntegrationInfo);
  return template.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema ?? {},
    run: (args, call) => tellerTools(services, client, call.integration).find((x) => x.name === t.name)!.run(args),
  }));
}

/**
 * The Teller tools of one enrollment: `teller_accounts`, `teller_balances`, `teller_transactions`.
 * Amounts stay Teller's decimal strings, each with its account's currency. A disconnected
 * enrollment (Teller's 401/403) turns the row unhealthy and answers a tool error; an unreachable
 * Teller answers a tool error and leaves the row as it is. The access token never leaves the hub.
 */
export function tellerTools(services: AdapterServices, client: () => TellerClient, integration: IntegrationInfo): EnrollmentTool[] {
  const bank = integration.name;

  /** Runs one call with the row's token; Teller's refusals become tool errors the model can read. */
  async function withToken(work: (token: string) => Promise<ToolOutcome>): Promise<ToolOutcome> {
    const s = await services.integrations.secrets<TellerSecrets>(integration.id);
    if (!s?.access_token) return fail(`teller_not_connected: the ${bank} enrollment has no access token; connect it again with Teller Connect`);
    try {
      return await work(s.access_token);
    } catch (e) {
      if (!(e instanceof TellerError)) throw e;
      if (e.kind === 'disconnected') {
        await services.integrations.setStatus(integration.id, 'unhealthy', `Teller: the enrollment is disconnected (${e.code ?? e.status}); reconnect it with Teller Connect`);
        return fail(`teller_disconnected: the ${bank} enrollment is disconnected; its owner must reconnect it with Teller Connect (${e.code ?? e.status})`);
      }
      if (e.kind === 'unreachable') return fail(`teller_unavailable: ${e.message}. Try again later.`);
      return fail(`teller_refused: ${e.message}`);
    }
  }

  const accounts = (token: string) => client().get(token, '/accounts', z.array(TellerAccount));
  const account = (token: string, id: string) => client().get(token, `/accounts/${id}`, TellerAccount);

  return [
    {
      name: 'teller_accounts',
      title: 'Bank accounts',
      description: `The bank accounts of the linked enrollment (${bank}): id, name, type, last four digits, currency, status.`,
      run: () => withToken(async (token) => json({ accounts: (await accounts(token)).map(accountView) })),
    },
    {
      name: 'teller_balances',
      title: 'Account balances',
      description: `Live balances (ledger and available, decimal strings, with the currency) of one account, or of every account when account_id is left out (${bank}).`,
      inputSchema: { account_id: AccountId.optional().describe('An account id from teller_accounts; all accounts when absent') },
      run: (args) =>
        withToken(async (token) => {
          const list = args.account_id ? [await account(token, args.account_id)] : await accounts(token);
          const balances = [];
          for (const a of list) {
            const b = await client().get(token, `/accounts/${a.id}/balances`, TellerBalances);
            balances.push({ account_id: a.id, account_name: a.name, currency: a.currency, ledger: b.ledger ?? null, available: b.available ?? null });
          }
          return json({ balances });
        }),
    },
    {
      name: 'teller_transactions',
      title: 'Account transactions',
      description:
        `Transactions of one account (${bank}), newest first: date, description, amount (a decimal string; negative leaves the account) with the currency, status, category, counterparty. ` +
        `from/to limit the dates (YYYY-MM-DD, inclusive); page with cursor = the next_cursor of the previous answer.`,
      inputSchema: {
        account_id: AccountId.describe('An account id from teller_accounts'),
        from: Day.optional().describe('Earliest date, YYYY-MM-DD'),
        to: Day.optional().describe('Latest date, YYYY-MM-DD'),
        count: z.number().int().min(1).max(MAX_PAGE).optional().describe(`Transactions per page (default ${DEFAULT_PAGE})`),
        cursor: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).optional().describe('next_cursor of the previous page'),
      },
      run: (args) =>
        withToken(async (token) => {
          if (args.from && args.to && args.from > args.to) return fail('invalid_arguments: from is after to');
          const count = args.count ?? DEFAULT_PAGE;
          const q = new URLSearchParams({ count: String(count) });
          if (args.cursor) q.set('from_id', args.cursor);
          if (args.from) q.set('start_date', args.from);
          if (args.to) q.set('end_date', args.to);
          const acct = await account(token, args.account_id);
          const page = await client().get(token, `/accounts/${acct.id}/transactions?${q}`, z.array(TellerTransaction));
          return json({
            account_id: acct.id,
            currency: acct.currency,
            transactions: page.map((t) => ({
              id: t.id,
              date: t.date,
              description: t.description,
              amount: t.amount,
              currency: acct.currency,
              status: t.status,
              type: t.type ?? null,
              category: t.details?.category ?? null,
              counterparty: t.details?.counterparty?.name ?? null,
              running_balance: t.running_balance ?? null,
            })),
            next_cursor: page.length === count ? page[page.length - 1].id : null,
          });
        }),
    },
  ];
}
