/**
 * The client's address for throttling (CONTRACT §2). `peer` is what the runtime knows for sure:
 * the socket's remote address on Node, `CF-Connecting-IP` on Workers. With `trustedProxies` = N
 * (`TRUST_PROXY`), N reverse proxies stand in front of that peer, each appending the address it
 * was connected from to `X-Forwarded-For`; the client is then the N-th entry from the right.
 * Entries further left are whatever the client sent and are never read. A header shorter than
 * N entries, or an entry that is not an IP address, falls back to the peer.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: number,
): string | undefined {
  const fallback = peer === undefined ? undefined : (normalizedIp(peer) ?? peer);
  if (trustedProxies === 0 || forwardedFor === undefined) return fallback;
  const entries = forwardedFor.split(",");
  const entry = entries[entries.length - trustedProxies];
  return (entry === undefined ? undefined : normalizedIp(entry)) ?? fallback;
}

/**
 * Cloudflare's edge is the Worker's peer and names the address it was connected from in
 * `CF-Connecting-IP`; it also appends that address to `X-Forwarded-For`, so that copy is not
 * counted as a proxy of ours: `TRUST_PROXY` counts the proxies in front of Cloudflare.
 */
export function workerClientAddress(headers: Headers, trustProxy: number): string | undefined {
  const peer = headers.get("cf-connecting-ip") ?? undefined;
  const forwarded = headers.get("x-forwarded-for")?.split(",") ?? [];
  if (peer !== undefined && forwarded.at(-1)?.trim() === peer) forwarded.pop();
  return clientAddressOf(peer, forwarded.length > 0 ? forwarded.join(",") : undefined, trustProxy);
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6 = /^[0-9a-f:]*:[0-9a-f:]*(:(\d{1,3}\.){3}\d{1,3})?$/;

/** An IPv4 or IPv6 address (a port or brackets around it dropped), lower-cased; else undefined. */
function normalizedIp(value: string): string | undefined {
  let address = value.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  if (ipv4.test(address)) return address;
  if (address.length <= 45 && ipv6.test(address) && address.split(":").length >= 3) return address;
  return undefined;
}
