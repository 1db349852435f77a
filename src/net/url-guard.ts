import dns from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { embeddedIPv4 } from './embedded-ipv4.ts';

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

/** Cloud metadata host names (GCP), refused without asking DNS. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** Why an IPv4 address may not be fetched, or undefined for a public unicast one. */
function ipv4Range(addr: ipaddr.IPv4): string | undefined {
  if (METADATA.has(addr.toString())) return 'cloud metadata';
  const range = addr.range();
  return range === 'unicast' ? undefined : range;
}

/**
 * Why an IP address may not be fetched (`loopback`, `private`, `linkLocal`, `cloud metadata`…), or
 * undefined for a public unicast address. An IPv6 address that embeds an IPv4 address (mapped,
 * compatible, translated, NAT64, 6to4, Teredo) is judged by the IPv4 address inside it. A zone id
 * (`fe80::1%eth0`) does not change the verdict.
 */
export function guardedRange(ip: string): string | undefined {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  const addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv4') return ipv4Range(addr as ipaddr.IPv4);
  const v6 = addr as ipaddr.IPv6;
  const bare = ipaddr.fromByteArray(v6.toByteArray()) as ipaddr.IPv6;
  if (METADATA.has(bare.toString())) return 'cloud metadata';
  const range = v6.range();
  if (range === 'loopback' || range === 'unspecified') return range;
  const embedded = embeddedIPv4(v6);
  if (embedded.length === 0) return range === 'unicast' ? undefined : range;
  for (const { form, ipv4 } of embedded) {
    const inner = ipv4Range(ipv4);
    if (inner) return `${inner} (IPv4 ${ipv4.toString()} in ${form} form)`;
  }
  return undefined;
}

/** A host name without trailing dots, lower case (`LocalHost.` → `localhost`). */
export function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
}

/**
 * Why a host name may not be fetched whatever DNS answers: `localhost` and `*.localhost` (RFC 6761)
 * always mean this machine, and cloud metadata names reach the metadata service. Undefined otherwise.
 */
export function guardedName(host: string): string | undefined {
  const h = normalHost(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'resolves to this machine (a loopback name)';
  if (METADATA_NAMES.has(h)) return 'is a cloud metadata name';
  return undefined;
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
      const e = normalHost(raw.trim()).replace(/^\[|\]$/g, '');
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
    return this.hosts.has(normalHost(hostname));
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

/** Resolves a host name to every address it has (the system resolver by default; tests inject one). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

/** The system resolver: every address, in the order the system gives them. */
export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Resolves a host (every address) and checks each; a host with any guarded address is refused, so
 * a name cannot smuggle a private address next to a public one. Local-only and metadata names are
 * refused before DNS is asked. Returns the checked addresses.
 */
export async function resolveAllowed(host: string, allow: AllowList, resolve: Resolver = systemResolver): Promise<{ address: string; family: number }[]> {
  if (net.isIP(host)) {
    assertAddressAllowed(host, host, allow);
    return [{ address: host, family: net.isIP(host) }];
  }
  const nameReason = allow.hasHost(host) ? undefined : guardedName(host);
  if (nameReason) throw new UrlGuardError(`${host} ${nameReason}, which is not allowed (SWITCHBOARD_ALLOW_PRIVATE_URLS can exempt a host)`, 'guarded_address');
  let found: { address: string; family: number }[];
  try {
    found = await resolve(host);
  } catch {
    throw new UrlGuardError(`${host} could not be resolved`, 'unresolvable');
  }
  if (found.length === 0) throw new UrlGuardError(`${host} could not be resolved`, 'unresolvable');
  for (const a of found) assertAddressAllowed(host, a.address, allow);
  return found;
}

/**
 * Full check of a URL a user typed (at connect or profile time): shape, then every resolved address.
 * `resolve` defaults to the system resolver.
 */
export async function checkUrl(raw: string, allow: AllowList | readonly string[], resolve?: Resolver): Promise<URL> {
  const list = allow instanceof AllowList ? allow : new AllowList(allow);
  const u = checkUrlShape(raw);
  await resolveAllowed(bareHost(u), list, resolve);
  return u;
}
