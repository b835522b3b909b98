const RANK: Record<string, number> = { URGENT: 0, HIGH: 1, NORMAL: 2, LOW: 3 };

/** The order an operator works in: overdue first, then by priority, then the nearest deadline, then the oldest. */
export function byUrgency<
  T extends { overdue: boolean; priority: string; dueAt: string | null; createdAt: string },
>(items: readonly T[]): T[] {
  const due = (i: T) => (i.dueAt ? Date.parse(i.dueAt) : Number.POSITIVE_INFINITY);
  return [...items].sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      (RANK[a.priority] ?? 9) - (RANK[b.priority] ?? 9) ||
      due(a) - due(b) ||
      Date.parse(a.createdAt) - Date.parse(b.createdAt),
  );
}
