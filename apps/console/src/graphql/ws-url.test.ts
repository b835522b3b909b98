import { describe, expect, it } from 'vitest';
import { graphqlWsUrl } from './ws-url.js';

describe('graphqlWsUrl', () => {
  it('uses ws: on an http: page', () => {
    expect(graphqlWsUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/graphql');
  });

  it('uses wss: on an https: page and keeps the port', () => {
    expect(graphqlWsUrl({ protocol: 'https:', host: 'qunfa.example.cn:8443' })).toBe(
      'wss://qunfa.example.cn:8443/graphql',
    );
  });

  it('accepts another path', () => {
    expect(graphqlWsUrl({ protocol: 'https:', host: 'a.cn' }, '/api/graphql')).toBe('wss://a.cn/api/graphql');
  });
});
