import { ValidationError } from "@/lib/errors";

// Turns the Policies forms into the inputs lib/policy parses. Only the shape changes here (text into
// a number, a JSON object, an ISO time); the rules live in lib/policy/replay-runs.ts and explain.ts.

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
};

/** "7" → { days: 7 }; empty → {} (the default window); anything else goes on for the schema to refuse by name. */
export function replayInputFrom(form: FormData): { days?: number | string } {
  const days = text(form, "days");
  if (days === "") return {};
  return { days: /^\d+$/.test(days) ? Number(days) : days };
}

const localMinute = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** A "Why" question: the arguments' JSON parsed, a time from a datetime-local field read as UTC. */
export function whyInputFrom(form: FormData): Record<string, unknown> {
  const question: Record<string, unknown> = { agent: text(form, "agent"), server: text(form, "server"), tool: text(form, "tool") };
  const args = text(form, "arguments");
  if (args !== "") {
    try {
      question.arguments = JSON.parse(args);
    } catch {
      const message = 'The arguments must be JSON, e.g. {"path": "/tmp/a"}.';
      throw new ValidationError(message, { arguments: [message] });
    }
  }
  const at = text(form, "at");
  if (at !== "") question.at = localMinute.test(at) ? `${at.length === 16 ? `${at}:00` : at}Z` : at;
  return question;
}
