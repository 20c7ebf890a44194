import { z } from "zod";
import { errorCodes } from "@/lib/errors";

// The JSON body of every refused API request (lib/http.ts writes it), for the OpenAPI document.

const codeList = Object.entries(errorCodes).map(([status, code]) => `${code} (${status})`).join(", ");

const errorCode = z
  .enum(Object.values(errorCodes))
  .meta({ id: "ErrorCode", description: `What went wrong, for a program to branch on; one per HTTP status: ${codeList}.` });

/** `{ error, code }`: a message a person can act on, and its machine-readable code. */
export const errorBodyNamed = (id: string) => z.object({ error: z.string(), code: errorCode }).meta({ id });
