/** The instant `ageMs` before `now`: rows older than it are due for deletion (the cleanup jobs take `now` for tests). */
export function cutoff(now: Date | number, ageMs: number): Date {
  return new Date((typeof now === "number" ? now : now.getTime()) - ageMs);
}
