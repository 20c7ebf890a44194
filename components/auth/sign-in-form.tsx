"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button, SubmitButton, TextField } from "@/components/ui/form-fields";

interface Props {
  callbackUrl: string;
  oidcName?: string;
  ssoError: boolean;
}

export function SignInForm({ callbackUrl, oidcName, ssoError }: Props) {
  const [error, setError] = useState(ssoError ? "Your single sign-on account has no Toolgate access." : "");
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) return setError("Enter your email and password.");
    setPending(true);
    const result = await signIn("credentials", { email, password, redirect: false });
    setPending(false);
    if (result?.ok && !result.error) return window.location.assign(callbackUrl);
    // "CredentialsSignin" is a wrong email or password; any other error is the server's own message,
    // such as when a throttled sign-in may be tried again.
    setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Wrong email or password, or the account is disabled.");
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <TextField label="Email" name="email" type="email" autoComplete="username" />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" />
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <SubmitButton pending={pending} pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
      {oidcName && (
        <Button type="button" variant="secondary" className="w-full" onClick={() => signIn("oidc", { callbackUrl })}>
          Sign in with {oidcName}
        </Button>
      )}
    </form>
  );
}
