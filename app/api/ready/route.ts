import { NextResponse } from "next/server";
import { checkReadiness } from "@/lib/db/readiness";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness();
  return NextResponse.json({ status: readiness.ready ? "ready" : "not ready", ...readiness }, {
    status: readiness.ready ? 200 : 503,
  });
}
