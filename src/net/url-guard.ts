import dns from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why the URL guard refused a URL. */
export type UrlGuardReason = 'invalid_url' | 'scheme' | 'credentials' | 'guarded_address' | 'unresolvable';

/** The URL guard refused a URL; `message` names the reason and never includes credentials. */
export class UrlGuardError extends Error {
  constructor(
    message: string,
    readonly reason: UrlGuardReason,
  ) {
    super(message);
    this.name = 'UrlGuardError';
  }
}

/** Cloud metadata endpoints, refused by name even though their ranges are refused anyway. */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/**
 * Why an IP address may not be fetched (`loopback`, `private`, `linkLocal`, `cloud metadata`…), or
 * undefined for a public unicast address. IPv4-mapped and NAT64 IPv6 addresses are judged by the
 * IPv4 address inside them.
 */
export function guardedRange(ip: string): string | undefined {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) addr = v6.toIPv4Address();
    else if (v6.range() === 'rfc6052') addr = ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  const normal = addr.toNormalizedString();
  if (METADATA.has(normal) || METADATA.has(addr.toString())) return 'cloud metadata';
  const range = addr.range();
  return range === 'unicast' ? undefined : range;
}

/**
 * The operator's exemptions (`SWITCHBOARD_ALLOW_PRIVATE_URLS`): host names (matched exactly, case
 * insensitive), IP addresses and CIDRs (matched against the resolved address).
 */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!e) continue;
      if (ipaddr.isValidCIDR(e)) this.ranges.push(ipaddr.parseCIDR(e));
      else if (ipaddr.isValid(e)) {
        const a = ipaddr.parse(e);
        this.ranges.push([a, a.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(e);
    }
  }

  /** Whether a host name is exempt as a whole. */
  hasHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase());
  }

  /** Whether an address falls in an exempt range. */
  hasAddress(ip: string): boolean {
    if (!ipaddr.isValid(ip)) return false;
    let a = ipaddr.parse(ip);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    return this.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  }
}

/** Host name of a URL without IPv6 brackets. */
export const bareHost = (u: URL) => u.hostname.replace(/^\[|\]$/g, '');

/** Checks a URL's shape: absolute, http(s), no credentials. Returns it parsed. */
export function checkUrlShape(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UrlGuardError('the URL is not a valid absolute URL', 'invalid_url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UrlGuardError(`the URL scheme ${u.protocol.replace(':', '')} is not allowed; use http or https`, 'scheme');
  if (u.username || u.password) throw new UrlGuardError('the URL must not contain credentials (user:password@)', 'credentials');
  return u;
}

/** Throws when an address is guarded and not exempt. */
export function assertAddressAllowed(host: string, ip: string, allow: AllowList): void {
  if (allow.hasHost(host) || allow.hasAddress(ip)) return;
  const range = guardedRange(ip);
  if (range) throw new UrlGuardError(`${host} resolves to ${ip}, a ${range} address, which is not allowed (SWITCHBOARD_ALLOW_PRIVATE_URLS can exempt a host)`, 'guarded_address');
}

/**
 * Resolves a host (every address) and checks each; a host with any guarded address is refused, so
 * a name cannot smuggle a private address next to a public one. Returns the checked addresses.
 */
export async function resolveAllowed(host: string, allow: AllowList): Promise<{ address: string; family: number }[]> {
  if (net.isIP(host)) {
    assertAddressAllowed(host, host, allow);
    return [{ address: host, family: net.isIP(host) }];
  }
  let found: { address: string; family: number }[];
  try {
    found = await dns.lookup(host, { all: true, verbatim: true });
  } catch {
    throw new UrlGuardError(`${host} could not be resolved`, 'unresolvable');
  }
  if (found.length === 0) throw new UrlGuardError(`${host} could not be resolved`, 'unresolvable');
  for (const a of found) assertAddressAllowed(host, a.address, allow);
  return found;
}

/** Full check of a URL a user typed (at connect or profile time): shape, then every resolved address. */
export async function checkUrl(raw: string, allow: AllowList | readonly string[]): Promise<URL> {
  const list = allow instanceof AllowList ? allow : new AllowList(allow);
  const u = checkUrlShape(raw);
  await resolveAllowed(bareHost(u), list);
  return u;
}
