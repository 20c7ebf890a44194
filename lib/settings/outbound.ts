import ipaddr from "ipaddr.js";
import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { env, type RawEnv } from "@/lib/config/env";
import { db, type Tx } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { defaultOutboundRule, loopbackRanges, type OutboundPolicy, applyOutboundAllow } from "@/lib/net/outbound";
import { hasUnsafeCharacters } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";

// Which private ranges Toolgate may connect to when it imports a server's tools and when the gateway
// forwards a call (lib/net/outbound.ts checks every address against it). Three sources, first wins:
// TOOLGATE_OUTBOUND_ALLOW (the operator's, fixed while set), what an administrator set on /admin (kept
// in the settings table), the default (defaultOutboundRule: loopback when Toolgate listens on loopback only).
// See docs/decisions/022-outbound-rule.md.

export const outboundSettingKey = "outbound.allow";

export type OutboundRuleSource = "environment" | "administrator" | "default";

export interface OutboundRule {
  source: OutboundRuleSource;
  /** The CIDR ranges allowed besides public addresses; "loopback" is written out as its two ranges. */
  allow: string[];
  /** Why this rule is in force, as a clause: "TOOLGATE_OUTBOUND_ALLOW is set", "Toolgate listens on …". */
  why: string;
  /** When an administrator set it. */
  updatedAt?: Date;
}

export const maxOutboundText = 2000;
export const maxOutboundEntries = 50;

/** One entry as written: a CIDR range in its usual form, or "loopback", which stands for its two ranges. */
function entryRanges(entry: string): string[] | undefined {
  if (entry === "loopback") return [...loopbackRanges];
  // ipaddr.js also takes "10.0.0/8" and "2130706433/8"; a rule people read must say what it means.
  const valid = entry.includes(":") ? ipaddr.IPv6.isValidCIDR(entry) : ipaddr.IPv4.isValidCIDRFourPartDecimal(entry);
  if (!valid) return undefined;
  const [, bits] = ipaddr.parseCIDR(entry);
  const network = entry.includes(":") ? ipaddr.IPv6.networkAddressFromCIDR(entry) : ipaddr.IPv4.networkAddressFromCIDR(entry);
  return [`${network.toString()}/${bits}`];
}

const entryHint = 'write a range such as 10.0.0.0/8 or fd00::/8 (one address as 10.0.0.5/32), or "loopback"';

/** The administrator's list as typed: entries separated by commas, spaces or lines; empty allows no private range. */
export const outboundAllowInput = z.object(
  {
    allow: z
      .string({ error: "Give the allowed ranges as text." })
      .max(maxOutboundText, `The list must be at most ${maxOutboundText} characters.`)
      .refine((text) => !hasUnsafeCharacters(text), "The list contains a control character; type the ranges as plain text.")
      .transform((text, ctx) => {
        const entries = text
          .split(/[\s,]+/)
          .map((entry) => entry.toLowerCase())
          .filter((entry) => entry !== "" && entry !== "none");
        if (entries.length > maxOutboundEntries) {
          ctx.addIssue({ code: "custom", message: `At most ${maxOutboundEntries} ranges.` });
          return z.NEVER;
        }
        const allow: string[] = [];
        for (const entry of entries) {
          const ranges = entryRanges(entry);
          if (!ranges) {
            ctx.addIssue({ code: "custom", message: `"${entry.slice(0, 60)}" is not a range: ${entryHint}.` });
            return z.NEVER;
          }
          allow.push(...ranges);
        }
        return [...new Set(allow)];
      }),
  },
  { error: "Give the allowed ranges." },
);

// What the settings table holds: the ranges, loopback written out. A row that no longer parses is ignored.
const storedAllow = z.array(z.string().refine((cidr) => entryRanges(cidr)?.[0] === cidr)).max(maxOutboundEntries * 2);

/** The list as people write it: the two loopback ranges shown as "loopback". */
export function outboundEntries(allow: readonly string[]): string[] {
  if (!loopbackRanges.every((range) => allow.includes(range))) return [...allow];
  const rest = allow.filter((range) => !loopbackRanges.includes(range));
  return ["loopback", ...rest];
}

/** "loopback and 10.0.0.0/8", or "no private range". */
export function describeAllow(allow: readonly string[]): string {
  const entries = outboundEntries(allow);
  if (entries.length === 0) return "no private range";
  return entries.length === 1 ? entries[0]! : `${entries.slice(0, -1).join(", ")} and ${entries.at(-1)}`;
}

/** "Toolgate may connect to loopback and to public addresses", for messages and the start-up log. */
export function mayConnectTo(allow: readonly string[]): string {
  return allow.length ? `Toolgate may connect to ${describeAllow(allow)} and to public addresses` : "Toolgate may connect to public addresses only";
}

const metadataAddress = ipaddr.parse("169.254.169.254");

/** What in a rule deserves a second look: a range holding the cloud metadata address, or every address. */
export function outboundWarnings(allow: readonly string[]): string[] {
  return allow.flatMap((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    const warnings: string[] = [];
    if (bits === 0) warnings.push(`${cidr} allows every ${network.kind() === "ipv4" ? "IPv4" : "IPv6"} address.`);
    if (network.kind() === "ipv4" && metadataAddress.match(network, bits)) {
      warnings.push(`${cidr} holds the cloud metadata address 169.254.169.254, which hands out this machine's cloud credentials.`);
    }
    return warnings;
  });
}

/** The rule in force now. `raw` is the environment to judge by (start-up judges the server's, before it runs). */
export async function outboundRule(client: Tx = db(), raw?: RawEnv): Promise<OutboundRule> {
  const fixed = env("TOOLGATE_OUTBOUND_ALLOW", raw);
  if (fixed !== undefined) return { source: "environment", allow: [...fixed], why: "TOOLGATE_OUTBOUND_ALLOW is set on the server" };
  const row = await client.setting.findUnique({ where: { key: outboundSettingKey }, select: { value: true, updatedAt: true } });
  const stored = row ? storedAllow.safeParse(row.value) : undefined;
  if (row && stored?.success) return { source: "administrator", allow: stored.data, why: "an administrator set it", updatedAt: row.updatedAt };
  const fallback = defaultOutboundRule(raw);
  return { source: "default", allow: fallback.allow, why: fallback.why };
}

/** One line for the start-up log: what Toolgate may connect to, why, and where to change it. */
export function describeOutboundRule(rule: OutboundRule): string {
  const where = rule.source === "environment" ? "Change it with TOOLGATE_OUTBOUND_ALLOW." : "Change it under Admin → Outbound connections, or fix it with TOOLGATE_OUTBOUND_ALLOW.";
  const source = rule.source === "default" ? "the default, because " : "";
  return `Outbound connections: ${mayConnectTo(rule.allow)} (${source}${rule.why}). ${where}`;
}

/**
 * The rule in force, read now, as a policy to check against; the process's live policy
 * (liveOutboundPolicy, which the gateway holds) follows it too.
 */
export async function currentOutboundPolicy(): Promise<OutboundPolicy> {
  const { allow } = await outboundRule();
  applyOutboundAllow(allow);
  return { allow };
}

/** Reads the rule in force into the process's live policy (at start, and when settings change). */
export async function refreshOutboundPolicy(): Promise<void> {
  await currentOutboundPolicy();
}

const target = { type: "setting", id: outboundSettingKey };

/** Refuses, audited, while TOOLGATE_OUTBOUND_ALLOW fixes the rule: the page cannot change it. */
async function assertNotFixed(actor: Actor): Promise<void> {
  if (env("TOOLGATE_OUTBOUND_ALLOW") === undefined) return;
  await refuse(
    actor,
    "settings.manage",
    target,
    "fixed by TOOLGATE_OUTBOUND_ALLOW",
    "TOOLGATE_OUTBOUND_ALLOW sets the outbound rule on this server, and it wins over this page: change or unset the variable and restart Toolgate.",
  );
}

async function store(actor: Actor, allow: string[] | null): Promise<OutboundRule> {
  const rule = await db().$transaction(async (tx) => {
    const old = await outboundRule(tx);
    if (allow === null) await tx.setting.deleteMany({ where: { key: outboundSettingKey } });
    else {
      await tx.setting.upsert({
        where: { key: outboundSettingKey },
        create: { key: outboundSettingKey, value: allow, updatedById: actor.id },
        update: { value: allow, updatedById: actor.id, updatedAt: new Date() },
      });
    }
    const details = { key: outboundSettingKey, old: old.source === "administrator" ? old.allow : null, new: allow } satisfies Prisma.InputJsonObject;
    await recordAudit(tx, { actor: personActor(actor), action: "settings.update", target, outcome: "success", details });
    return outboundRule(tx);
  });
  applyOutboundAllow(rule.allow);
  return rule;
}

/** An administrator sets the private ranges Toolgate may connect to; audited with the old and new list. */
export async function setOutboundRule(actor: Actor, input: unknown): Promise<OutboundRule> {
  await guard(actor, "settings.manage", target);
  await assertNotFixed(actor);
  const { allow } = parseInput(outboundAllowInput, input);
  return store(actor, allow);
}

/** An administrator drops their rule, so the default applies again; audited (the new value is null). */
export async function resetOutboundRule(actor: Actor): Promise<OutboundRule> {
  await guard(actor, "settings.manage", target);
  await assertNotFixed(actor);
  return store(actor, null);
}
