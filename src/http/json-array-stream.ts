import type { TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import type { AppContext } from "./context";

const encoder = new TextEncoder();

/**
 * A `200` JSON array written slice by slice as the slices are read, so that a long list is never
 * held (or serialized) in one piece. The first slice is read before answering: a failure there
 * is still an ordinary error response. A failure later can only cut the body short (logged).
 */
export async function jsonArrayResponse<Item, Output>(
  c: AppContext,
  slices: AsyncIterator<Item[]>,
  toOutput: (item: Item) => Output,
  headers: Record<string, string> = {},
): Promise<TypedResponse<JSONParsed<Output[]>, 200, "json">> {
  let pending: IteratorResult<Item[]> | undefined = await slices.next();
  let separator = "";
  const requestId = c.get("requestId");
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("["));
    },
    async pull(controller) {
      try {
        let next = pending ?? (await slices.next());
        pending = undefined;
        // A pull that enqueues nothing is not called again: skip empty slices here.
        while (!next.done && next.value.length === 0) next = await slices.next();
        if (next.done) {
          controller.enqueue(encoder.encode("]"));
          controller.close();
          return;
        }
        const text = next.value.map((item) => JSON.stringify(toOutput(item))).join(",");
        controller.enqueue(encoder.encode(separator + text));
        separator = ",";
      } catch (error) {
        c.var.deps.logger.error("list failed while streaming", {
          request_id: requestId,
          error: String(error),
        });
        controller.error(error);
      }
    },
    async cancel() {
      await slices.return?.();
    },
  });
  const response = c.body(body, 200, { "Content-Type": "application/json", ...headers });
  // The body is the JSON array of the outputs, written in pieces: typed as what c.json would give.
  return response as unknown as TypedResponse<JSONParsed<Output[]>, 200, "json">;
}
