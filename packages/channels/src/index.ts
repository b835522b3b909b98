export type {
  AcceptedMessage,
  FailureRates,
  SandboxChannel,
  SandboxOptions,
  SandboxProvider,
  SendCall,
} from './sandbox/index.js';
export { demoFailureRates, sandbox } from './sandbox/index.js';
