import type { RequestHandler } from 'express';
import QRCode from 'qrcode';

/** Longest text a QR code is drawn for: 300 characters. */
export const MAX_QR_TEXT = 300;

/**
 * `GET /ui/qr.svg?text=…`: a QR code (SVG) of a Telegram link, drawn by the hub (no third-party
 * service sees the link). Only `https://t.me/…` links are drawn; anything else is a 400.
 */
export const qrRoute: RequestHandler = async (req, res) => {
  const text = typeof req.query.text === 'string' ? req.query.text : '';
  if (text.length > MAX_QR_TEXT || !/^https:\/\/t\.me\/[\w?=&%.-]+$/.test(text)) {
    return void res.status(400).type('text').send('text must be an https://t.me/ link of at most 300 characters');
  }
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  res.setHeader('cache-control', 'private, no-store');
  res.type('image/svg+xml').send(svg);
};
