import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';

/** `switchboard notify`: send a notification as a profile. */
export function registerNotifyCommand(program: Command, client: () => ApiClient): void {
  program
    .command('notify')
    .description('notify your user through one or more channels, as a profile')
    .requiredOption('--channel <channel...>', 'telegram | telegram:<integration_id> | slack | email | webhook (repeatable)')
    .requiredOption('-m, --message <text>', 'the message (Markdown)')
    .option('-p, --profile <profile>', 'profile id or name (with a user key)', 'default')
    .option('--subject <subject>', 'subject (email)')
    .option('--claim', 'route replies to this notification back to the profile')
    .option('--idempotency-key <key>', 'the same key never sends twice')
    .option('--json', 'print JSON')
    .action(async (o: { channel: string[]; message: string; profile: string; subject?: string; claim?: boolean; idempotencyKey?: string; json?: boolean }) => {
      const r = await client().request('POST', '/v1/notify', {
        profile_id: o.profile,
        channels: o.channel,
        message: o.message,
        ...(o.subject ? { subject: o.subject } : {}),
        ...(o.claim ? { claim: true } : {}),
        ...(o.idempotencyKey ? { idempotency_key: o.idempotencyKey } : {}),
      });
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`Notification ${r.notification.id}${r.duplicate ? ' (already sent earlier with this key)' : ''}:`);
      for (const d of r.notification.deliveries) console.log(`  ${d.channel} via ${d.integration_id}: ${d.status}`);
    });
}
