import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { oidcProviderFromEnv } from "./oidc";
import { signInWithPassword } from "./password-sign-in";
import { clientAddress } from "./sign-in-throttle";

const credentials = CredentialsProvider({
  name: "Email and password",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  // A thrown error's message reaches the sign-in form (signIn() answers { error: message }): a
  // throttled person reads when to try again. A wrong password stays a plain "wrong email or password".
  async authorize(input, request) {
    const actor = await signInWithPassword(input?.email, input?.password, clientAddress(request?.headers));
    return actor && { id: actor.id, email: actor.email };
  },
});

async function activeUserByEmail(email: string | null | undefined) {
  if (!email) return null;
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() } });
  return user && !user.disabled ? user : null;
}

const oidc = oidcProviderFromEnv();

export const authOptions: NextAuthOptions = {
  providers: oidc ? [credentials, oidc] : [credentials],
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin" },
  callbacks: {
    // Single sign-on admits only people an administrator has already created.
    async signIn({ user, account }) {
      if (account?.provider !== "oidc") return true;
      return (await activeUserByEmail(user.email)) !== null;
    },
    async jwt({ token, user, account }) {
      if (user) {
        const dbUser = account?.provider === "oidc" ? await activeUserByEmail(user.email) : null;
        token.uid = dbUser?.id ?? user.id;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) session.user.id = token.uid;
      return session;
    },
  },
  events: {
    async signIn({ user, account }) {
      const dbUser = await activeUserByEmail(user.email);
      await recordAudit(db(), {
        actor: { id: dbUser?.id, label: dbUser?.email ?? String(user.email) },
        action: "auth.sign-in",
        target: { type: "session" },
        outcome: "success",
        details: { provider: account?.provider ?? "credentials" },
      });
    },
    async signOut({ token }) {
      await recordAudit(db(), {
        actor: { id: token.uid, label: token.email ?? "unknown" },
        action: "auth.sign-out",
        target: { type: "session" },
        outcome: "success",
      });
    },
  },
};
