import { describe, expect, it, vi } from "vitest";
import { compareWithPinned } from "@/lib/gateway/drift";
import { clearResolutionCache } from "@/lib/gateway/invalidation";
import { wireGateway } from "./gateway-wiring";

const spies = vi.hoisted(() => ({ forgetAgentKeys: vi.fn(), watchBackendTools: vi.fn() }));
vi.mock("@/lib/gateway/agent-cache", async (importOriginal) => ({ ...(await importOriginal<object>()), forgetAgentKeys: spies.forgetAgentKeys }));
vi.mock("@/lib/gateway/backends", async (importOriginal) => ({ ...(await importOriginal<object>()), watchBackendTools: spies.watchBackendTools }));

describe("wireGateway", () => {
  it("sets the drift check and the key cache's invalidation once, however often it is called", () => {
    expect(spies.watchBackendTools).not.toHaveBeenCalled();
    wireGateway();
    wireGateway();
    expect(spies.watchBackendTools).toHaveBeenCalledExactlyOnceWith(compareWithPinned);
    clearResolutionCache();
    expect(spies.forgetAgentKeys).toHaveBeenCalledOnce();
  });
});
