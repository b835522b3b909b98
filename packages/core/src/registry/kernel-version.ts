import semver from 'semver';
import { QunfaError } from '../errors.js';
import type { QunfaPlugin } from '../plugins/plugin.js';

/** The version of this `@qunfa/core`; kept equal to its package.json by a test. */
export const KERNEL_VERSION = '0.1.0';

/**
 * Refuses a plugin whose declared `kernel` range does not include this kernel (prereleases
 * included, so `^0.2.0` admits `0.2.0-next.1`), or whose range is not semver.
 */
export function assertKernelCompatible(plugin: QunfaPlugin, kernelVersion: string = KERNEL_VERSION): void {
  const range = plugin.kernel;
  if (range === undefined) return;
  if (semver.validRange(range) === null) {
    throw new QunfaError('PLUGIN_INCOMPATIBLE', `declares kernel "${range}", which is not a semver range`, {
      plugin: plugin.name,
      details: { kernel: range, kernelVersion },
    });
  }
  if (!semver.satisfies(kernelVersion, range, { includePrerelease: true })) {
    throw new QunfaError(
      'PLUGIN_INCOMPATIBLE',
      `supports @qunfa/core ${range}, but this is @qunfa/core ${kernelVersion}: upgrade the plugin or pin a matching Qunfa`,
      { plugin: plugin.name, details: { kernel: range, kernelVersion } },
    );
  }
}
