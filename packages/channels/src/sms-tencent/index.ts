export { smsTencent } from './channel.js';
export type { SmsTencentConfig, SmsTencentOptions } from './options.js';
