import { describe, expect, it } from 'vitest';
import { appendEdges } from './append-edges.js';

const edge = (id: string) => ({ cursor: `c-${id}`, node: { id } });

describe('appendEdges', () => {
  it('appends a page in order', () => {
    expect(appendEdges([edge('a')], [edge('b'), edge('c')]).map((e) => e.node.id)).toEqual(['a', 'b', 'c']);
  });

  it('drops campaigns already listed', () => {
    expect(appendEdges([edge('a'), edge('b')], [edge('b'), edge('c')]).map((e) => e.node.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
