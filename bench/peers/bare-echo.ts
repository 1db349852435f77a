/**
 * The floor of the peer benchmark: a bare `node:http` Telegram echo bot with no storage. Each
 * webhook is checked for the secret header, parsed, answered with `sendMessage` to the Bot API at
 * BOT_API_ROOT over a keep-alive agent, and acknowledged 200 once that call has returned. Nothing is
 * durable: a crash loses whatever is in flight.
 *
 * Env: BOT_API_ROOT, BOT_TOKEN, WEBHOOK_SECRET. Prints `READY <port>` once listening on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const root = new URL(process.env.BOT_API_ROOT!);
const path = `/bot${process.env.BOT_TOKEN}/sendMessage`;
const secret = process.env.WEBHOOK_SECRET!;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function sendMessage(chatId: number, text: string): Promise<void> {
  const body = JSON.stringify({ chat_id: chatId, text });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: root.hostname, port: root.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`sendMessage answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const server = http.createServer((req, res) => {
  if (req.headers['x-telegram-bot-api-secret-token'] !== secret) {
    res.writeHead(401).end();
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: { chat: { id: number }; text?: string } };
      if (update.message?.text !== undefined) await sendMessage(update.message.chat.id, `echo: ${update.message.text}`);
      res.writeHead(200).end();
    } catch {
      res.writeHead(500).end();
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
