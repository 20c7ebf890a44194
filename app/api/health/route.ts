import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json({ status: "up", uptimeSeconds: Math.round(process.uptime()) });
}
