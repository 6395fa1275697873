/**
 * A ZIP archive written as a stream: each entry's content is deflated as it arrives (web
 * CompressionStream, in Node and in workerd alike), its CRC and sizes follow it in a data
 * descriptor, and the central directory comes last. Memory stays that of a chunk or two,
 * whatever the size of the entries. No ZIP64: entries and the archive stay under 4 GiB.
 */

type Bytes = Uint8Array<ArrayBuffer>;

export interface ZipEntry {
  name: string;
  content: AsyncIterable<Bytes> | Iterable<Bytes>;
}

const crcTable = Uint32Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  return crc >>> 0;
});

function updateCrc(crc: number, bytes: Uint8Array): number {
  let value = ~crc;
  for (const byte of bytes) value = (crcTable[(value ^ byte) & 0xff] as number) ^ (value >>> 8);
  return ~value >>> 0;
}

/** Little-endian fields of a ZIP record. */
function record(fields: [bytes: 2 | 4, value: number][], tail: Bytes = new Uint8Array()): Bytes {
  const length = fields.reduce((sum, [bytes]) => sum + bytes, 0);
  const out = new Uint8Array(length + tail.length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const [bytes, value] of fields) {
    if (bytes === 2) view.setUint16(offset, value, true);
    else view.setUint32(offset, value, true);
    offset += bytes;
  }
  out.set(tail, length);
  return out;
}

/** Bit 3: CRC and sizes follow the data; bit 11: the name is UTF-8. */
const flags = 0x0808;
const deflated = 8;
/** 1980-01-01 00:00, the earliest DOS date: the archive's bytes don't depend on the clock. */
const dosTime = 0;
const dosDate = (0 << 9) | (1 << 5) | 1;

interface Written {
  name: Bytes;
  offset: number;
  crc: number;
  compressedSize: number;
  size: number;
}

/** The entry's content deflated, counting its CRC and sizes into `written` as it goes. */
async function* deflate(content: ZipEntry["content"], written: Written): AsyncGenerator<Bytes> {
  const compressor = new CompressionStream("deflate-raw");
  const input = compressor.writable.getWriter();
  const output = compressor.readable.getReader();
  // Fed while the output is read: the compressor's backpressure (`ready`) bounds what it holds.
  // Content that fails aborts the compressor, so the read below fails too instead of waiting.
  const feeding = (async () => {
    for await (const chunk of content) {
      written.crc = updateCrc(written.crc, chunk);
      written.size += chunk.length;
      await input.ready;
      void input.write(chunk).catch(() => undefined);
    }
    await input.close();
  })().catch(async (error: unknown) => {
    await input.abort(error).catch(() => undefined);
    throw error;
  });
  feeding.catch(() => undefined);
  try {
    for (;;) {
      const { done, value } = await output.read();
      if (done) break;
      written.compressedSize += value.length;
      yield value;
    }
    await feeding;
  } finally {
    await output.cancel().catch(() => undefined);
    await input.abort().catch(() => undefined);
  }
}

/** The archive's bytes, entry after entry, then the central directory. */
export async function* zipStream(entries: Iterable<ZipEntry>): AsyncGenerator<Bytes> {
  const encoder = new TextEncoder();
  const done: Written[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const written: Written = { name, offset, crc: 0, compressedSize: 0, size: 0 };
    const header = record(
      [
        [4, 0x04034b50],
        [2, 20],
        [2, flags],
        [2, deflated],
        [2, dosTime],
        [2, dosDate],
        [4, 0],
        [4, 0],
        [4, 0],
        [2, name.length],
        [2, 0],
      ],
      name,
    );
    yield header;
    yield* deflate(entry.content, written);
    const descriptor = record([
      [4, 0x08074b50],
      [4, written.crc],
      [4, written.compressedSize],
      [4, written.size],
    ]);
    yield descriptor;
    offset += header.length + written.compressedSize + descriptor.length;
    done.push(written);
  }
  let directorySize = 0;
  for (const entry of done) {
    const header = record(
      [
        [4, 0x02014b50],
        [2, 20],
        [2, 20],
        [2, flags],
        [2, deflated],
        [2, dosTime],
        [2, dosDate],
        [4, entry.crc],
        [4, entry.compressedSize],
        [4, entry.size],
        [2, entry.name.length],
        [2, 0],
        [2, 0],
        [2, 0],
        [2, 0],
        [4, 0],
        [4, entry.offset],
      ],
      entry.name,
    );
    directorySize += header.length;
    yield header;
  }
  yield record([
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, done.length],
    [2, done.length],
    [4, directorySize],
    [4, offset],
    [2, 0],
  ]);
}
