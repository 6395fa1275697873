import { describe, expect, it } from "vitest";
import { clientAddressOf, workerClientAddress } from "../src/http/client-address";

describe("clientAddressOf (Node: the socket's peer, then TRUST_PROXY hops of X-Forwarded-For)", () => {
  const peer = "10.0.0.2";
  it.each([
    ["no proxy trusted: the header is ignored", "203.0.113.9", 0, peer],
    ["no header", undefined, 1, peer],
    ["one proxy: the entry it appended", "203.0.113.9", 1, "203.0.113.9"],
    [
      "one proxy: the client's own entries on the left are not read",
      "1.1.1.1, 203.0.113.9",
      1,
      "203.0.113.9",
    ],
    [
      "two proxies: the second entry from the right",
      "6.6.6.6, 203.0.113.9, 10.0.0.3",
      2,
      "203.0.113.9",
    ],
    ["a header shorter than the hops falls back to the peer", "203.0.113.9", 2, peer],
    ["a malformed entry falls back to the peer", "1.1.1.1, not-an-ip", 1, peer],
    ["an empty entry falls back to the peer", "1.1.1.1, ", 1, peer],
    ["an out-of-range octet falls back to the peer", "256.1.1.1", 1, peer],
    ["a port is dropped", "203.0.113.9:51234", 1, "203.0.113.9"],
    ["IPv6, lower-cased", "2001:DB8::1", 1, "2001:db8::1"],
    ["IPv6 in brackets with a port", "[2001:db8::1]:443", 1, "2001:db8::1"],
    ["IPv4-mapped IPv6", "::ffff:203.0.113.9", 1, "::ffff:203.0.113.9"],
    ["a huge entry falls back to the peer", `1.1.1.1, ${"f".repeat(5000)}`, 1, peer],
  ])("%s", (_, forwardedFor, hops, expected) => {
    expect(clientAddressOf(peer, forwardedFor, hops)).toBe(expected);
  });

  it("keeps a peer the runtime gives, even in a form it does not parse", () => {
    expect(clientAddressOf("::ffff:127.0.0.1", undefined, 0)).toBe("::ffff:127.0.0.1");
    expect(clientAddressOf("unix-socket", "203.0.113.9", 0)).toBe("unix-socket");
    expect(clientAddressOf(undefined, undefined, 0)).toBeUndefined();
  });
});

describe("workerClientAddress (Workers: CF-Connecting-IP is the peer)", () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  it("is CF-Connecting-IP without TRUST_PROXY, whatever X-Forwarded-For says", () => {
    expect(
      workerClientAddress(
        headers({ "cf-connecting-ip": "203.0.113.9", "x-forwarded-for": "1.1.1.1, 203.0.113.9" }),
        0,
      ),
    ).toBe("203.0.113.9");
  });

  it("with one proxy in front of Cloudflare, is the entry that proxy appended", () => {
    // client 203.0.113.9 → proxy 198.51.100.1 → Cloudflare (appends the proxy's address)
    expect(
      workerClientAddress(
        headers({
          "cf-connecting-ip": "198.51.100.1",
          "x-forwarded-for": "6.6.6.6, 203.0.113.9, 198.51.100.1",
        }),
        1,
      ),
    ).toBe("203.0.113.9");
  });

  it("falls back to CF-Connecting-IP when the header is short or missing", () => {
    expect(workerClientAddress(headers({ "cf-connecting-ip": "198.51.100.1" }), 1)).toBe(
      "198.51.100.1",
    );
    expect(
      workerClientAddress(
        headers({ "cf-connecting-ip": "198.51.100.1", "x-forwarded-for": "198.51.100.1" }),
        1,
      ),
    ).toBe("198.51.100.1");
  });
});
