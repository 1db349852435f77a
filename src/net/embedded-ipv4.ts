import ipaddr from 'ipaddr.js';

/** An IPv4 address carried inside an IPv6 address, and the name of the form that carries it. */
export interface EmbeddedIPv4 {
  form: string;
  ipv4: ipaddr.IPv4;
}

const v4 = (hi: number, lo: number) => ipaddr.fromByteArray([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]) as ipaddr.IPv4;

/**
 * Every IPv4 address an IPv6 address may lead to, by the forms that embed one:
 * IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96` (deprecated, still routed by some stacks),
 * IPv4-translated `::ffff:0:0:0/96`, NAT64 `64:ff9b::/96` and the local-use `64:ff9b:1::/48`
 * (read both as a /96 and as a /48 prefix), 6to4 `2002::/16` (bits 16–47) and Teredo `2001::/32`
 * (the server at bits 32–63 and the client, stored inverted, in the last 32 bits).
 * Empty for any other address.
 */
export function embeddedIPv4(addr: ipaddr.IPv6): EmbeddedIPv4[] {
  const w = addr.parts;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && w[5] === 0xffff) return [{ form: 'IPv4-mapped', ipv4: v4(w[6], w[7]) }];
  if (zeros(0, 6)) return [{ form: 'IPv4-compatible', ipv4: v4(w[6], w[7]) }];
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) return [{ form: 'IPv4-translated', ipv4: v4(w[6], w[7]) }];
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return [{ form: 'NAT64', ipv4: v4(w[6], w[7]) }];
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) {
    // RFC 6052 /48 layout: 16 bits at 48–63, the u-octet (64–71), then 16 bits at 72–87.
    const slash48 = v4(w[3], ((w[4] & 0xff) << 8) | (w[5] >> 8));
    return [
      { form: 'NAT64 local-use', ipv4: v4(w[6], w[7]) },
      { form: 'NAT64 local-use', ipv4: slash48 },
    ];
  }
  if (w[0] === 0x2002) return [{ form: '6to4', ipv4: v4(w[1], w[2]) }];
  if (w[0] === 0x2001 && w[1] === 0) {
    return [
      { form: 'Teredo', ipv4: v4(~w[6] & 0xffff, ~w[7] & 0xffff) },
      { form: 'Teredo server', ipv4: v4(w[2], w[3]) },
    ];
  }
  return [];
}
