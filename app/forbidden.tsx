import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10 text-center" role="alert">
      <h1 className="text-2xl font-semibold">Forbidden</h1>
      <p className="mt-3 text-slate-600">
        You are signed in, but your roles do not allow this page. Ask an administrator if you need access.
      </p>
      <Link href="/" className="mt-6 inline-block text-indigo-700 underline">
        Back to Toolgate
      </Link>
    </main>
  );
}
