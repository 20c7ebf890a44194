import { z } from "zod";

// Cancellation of calls the lean path serves (./lean-call.ts). The SDK server cancels the requests it
// handles itself (its handler's signal aborts on notifications/cancelled); a lean call is one it never
// saw, so each 2025-era session keeps its own in-flight lean calls here, by request id, and a
// notifications/cancelled naming one aborts that call's backend exchange (./backends.ts then tells the
// backend in turn). The map is touched when a lean call starts and ends, and when a cancel arrives.

const cancelledNotification = z.object({
  method: z.literal("notifications/cancelled"),
  params: z.object({ requestId: z.union([z.string().max(256), z.number()]), reason: z.string().max(1024).optional() }),
});

/** A cancellation as the abort's reason: an AbortError, which ./backend-errors.ts words as "cancelled", not as a backend fault. */
export function cancellationReason(reason: unknown): DOMException {
  if (reason instanceof DOMException && reason.name === "AbortError") return reason;
  const words = typeof reason === "string" && reason !== "" ? reason : "The client cancelled the request.";
  return new DOMException(words, "AbortError");
}

export class InFlightLeanCalls {
  private readonly calls = new Map<string | number, AbortController>();

  /** A signal that aborts if the client cancels request `id`; end it with `end`. */
  start(id: string | number): AbortSignal {
    const controller = new AbortController();
    // A client reusing an id while the first is in flight cancels the newer one; the older keeps running.
    this.calls.set(id, controller);
    return controller.signal;
  }

  end(id: string | number, signal: AbortSignal): void {
    if (this.calls.get(id)?.signal === signal) this.calls.delete(id);
  }

  /**
   * When `body` is a notifications/cancelled naming a lean call in flight, aborts it and says so. Anything
   * else (another message, a malformed cancel, an id the SDK server handles) is left to the SDK server.
   */
  cancel(body: unknown): boolean {
    if (this.calls.size === 0 || (body as { method?: unknown } | null)?.method !== "notifications/cancelled") return false;
    const parsed = cancelledNotification.safeParse(body);
    if (!parsed.success) return false;
    const controller = this.calls.get(parsed.data.params.requestId);
    if (!controller) return false;
    this.calls.delete(parsed.data.params.requestId);
    controller.abort(cancellationReason(parsed.data.params.reason));
    return true;
  }

  get size(): number {
    return this.calls.size;
  }
}
