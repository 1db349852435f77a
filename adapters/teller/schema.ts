import { z } from 'zod';

/*
 * Teller's objects, described by the fields the hub reads (teller.io/docs/api). Money is a decimal
 * string ("-42.50"); unknown fields are kept out, so nothing new leaks into tool answers unread.
 */

/** One bank account (`GET /accounts`, `GET /accounts/:id`). */
export const TellerAccount = z.object({
  id: z.string(),
  enrollment_id: z.string(),
  name: z.string(),
  last_four: z.string().nullish(),
  type: z.string(),
  subtype: z.string().nullish(),
  currency: z.string(),
  status: z.string(),
  institution: z.object({ id: z.string(), name: z.string() }),
});
export type TellerAccount = z.infer<typeof TellerAccount>;

/** An account's live balances; at least one of the two is given. */
export const TellerBalances = z.object({
  account_id: z.string(),
  ledger: z.string().nullish(),
  available: z.string().nullish(),
});
export type TellerBalances = z.infer<typeof TellerBalances>;

/** One transaction; negative amounts leave the account. */
export const TellerTransaction = z.object({
  id: z.string(),
  account_id: z.string(),
  amount: z.string(),
  date: z.string(),
  description: z.string(),
  status: z.string(),
  type: z.string().nullish(),
  running_balance: z.string().nullish(),
  details: z
    .object({
      processing_status: z.string().nullish(),
      category: z.string().nullish(),
      counterparty: z.object({ name: z.string().nullish(), type: z.string().nullish() }).nullish(),
    })
    .nullish(),
});
export type TellerTransaction = z.infer<typeof TellerTransaction>;

/** Teller's error body: `{"error":{"code","message"}}`. */
export const TellerErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

/** What Teller Connect's `onSuccess` hands the page, posted to `POST /v1/integrations/teller/callback`. */
export const ConnectCallback = z.object({
  access_token: z.string().min(1).max(500),
  enrollment: z.object({
    id: z.string().min(1).max(200),
    institution: z.object({ name: z.string().min(1).max(200) }),
  }),
  user: z.object({ id: z.string().min(1).max(200) }).optional(),
});

/** A Teller webhook (`enrollment.disconnected`, `transactions.processed`, `webhook.test`…). */
export const TellerWebhook = z.object({
  id: z.string(),
  type: z.string(),
  timestamp: z.string().optional(),
  payload: z.object({ enrollment_id: z.string().optional(), reason: z.string().optional() }).loose(),
});
