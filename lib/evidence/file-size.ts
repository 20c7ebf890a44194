// Upload sizes as people read them. Kept free of server imports so the browser's pre-upload check
// and the server's check word a refusal the same way.

export const MiB = 1024 * 1024;

/** "200 MB", "512 KB", "10 bytes": binary units, rounded up so a file just over a limit never reads as equal to it. */
export function formatBytes(bytes: number): string {
  const show = (value: number) => String(Math.ceil(value * 10) / 10);
  if (bytes >= MiB) return `${show(bytes / MiB)} MB`;
  if (bytes >= 1024) return `${show(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The refusal for a file over the upload limit, or null when it fits. */
export function fileTooLarge(size: number, maxBytes: number): string | null {
  return size > maxBytes ? `The file is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.` : null;
}
