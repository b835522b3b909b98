/** Appends a page of edges, dropping nodes already listed (a campaign created meanwhile shifts pages). */
export function appendEdges<E extends { node: { id: string } }>(
  listed: readonly E[],
  page: readonly E[],
): E[] {
  const seen = new Set(listed.map((edge) => edge.node.id));
  return [...listed, ...page.filter((edge) => !seen.has(edge.node.id))];
}
