import type { FakeAccount, FakeEnrollment } from '../fakes/teller-api.ts';

/** A checking account with `n` transactions, one a day back from 2026-11-30, newest first (Teller's order). */
export function checking(id: string, n: number, currency = 'USD'): FakeAccount {
  const transactions = Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2026, 10, 30 - i)).toISOString().slice(0, 10);
    return {
      id: `txn_${id}_${String(i).padStart(3, '0')}`,
      amount: i % 5 === 0 ? '2500.00' : `-${(12 + i).toFixed(2)}`,
      date: day,
      description: i % 5 === 0 ? 'DIRECT DEPOSIT ACME CORP' : `CARD PURCHASE ${i}`,
      status: i < 2 ? 'pending' : 'posted',
      type: i % 5 === 0 ? 'deposit' : 'card_payment',
      category: i % 5 === 0 ? 'income' : 'groceries',
      counterparty: i % 5 === 0 ? 'Acme Corp' : 'Whole Foods Market',
      running_balance: (1000 + i).toFixed(2),
    };
  });
  return { id, name: 'Platinum Checking', type: 'depository', subtype: 'checking', last_four: '4321', currency, ledger: '28575.02', available: '28475.02', transactions };
}

/** An enrollment at a bank with the given accounts. */
export function enrollment(id: string, token: string, bank: string, accounts: FakeAccount[]): FakeEnrollment {
  return { id, token, institution: { id: bank.toLowerCase().replace(/\W+/g, '_'), name: bank }, accounts };
}

/** What Teller Connect's onSuccess gives, as the page posts it. */
export const connectResult = (e: FakeEnrollment) => ({ access_token: e.token, enrollment: { id: e.id, institution: { name: e.institution.name } }, user: { id: 'usr_teller_1' } });
