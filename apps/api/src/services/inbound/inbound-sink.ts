import type { InboundSink } from '@qunfa/core';
import { type InboundDeps, recordInbound } from './record-inbound.js';

/** The engine's and callbacks' inbound sink: provider messages, matched in any workspace. */
export function createInboundSink(deps: InboundDeps, windowMs: number): InboundSink {
  return {
    async record(channel, messages) {
      const { ids: _ids, ...recorded } = await recordInbound(deps, channel, messages, {
        windowMs,
        actor: { kind: 'system', id: channel },
      });
      return recorded;
    },
  };
}
