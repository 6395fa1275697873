const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
/** The largest multiple of 36 below 256: bytes at or above it are redrawn so every character is equally likely. */
const unbiasedLimit = 252;
export const publicUuidLength = 8;
export const publicUuidPattern = /^[a-z0-9]{8}$/;

/** 8 characters of [a-z0-9] from a cryptographic RNG (~41 bits), the test's shareable link id. */
export function generatePublicUuid(
  randomBytes: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
) {
  let id = "";
  while (id.length < publicUuidLength) {
    for (const byte of randomBytes(new Uint8Array(16))) {
      if (byte < unbiasedLimit && id.length < publicUuidLength)
        id += alphabet[byte % alphabet.length];
    }
  }
  return id;
}
