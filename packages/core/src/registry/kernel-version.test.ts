import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isQunfaError } from '../errors.js';
import { defineRule } from './define.js';
import { assertKernelCompatible, KERNEL_VERSION } from './kernel-version.js';
import { createRegistry } from './registry.js';

const ruleFor = (kernel: string | undefined) =>
  defineRule({
    name: 'rule:versioned',
    options: z.object({ token: z.string().default('t') }),
    secrets: ['token'],
    ...(kernel === undefined ? {} : { kernel }),
    create: () => ({}),
  })();

describe('kernel version ranges', () => {
  it('KERNEL_VERSION is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(KERNEL_VERSION).toBe(pkg.version);
  });

  it('admits a plugin whose range includes this kernel, or that declares none', () => {
    expect(createRegistry([ruleFor(`^${KERNEL_VERSION}`)]).rules).toHaveLength(1);
    expect(createRegistry([ruleFor(undefined)]).rules).toHaveLength(1);
    expect(() => assertKernelCompatible(ruleFor('>=0.1.0 <0.3.0'), '0.2.0-next.1')).not.toThrow();
  });

  it('refuses one written for another kernel, naming the plugin and both versions', () => {
    let error: unknown;
    try {
      createRegistry([ruleFor('^9.0.0')]);
    } catch (e) {
      error = e;
    }
    expect(isQunfaError(error, 'PLUGIN_INCOMPATIBLE')).toBe(true);
    expect(error).toMatchObject({
      plugin: 'rule:versioned',
      details: { kernel: '^9.0.0', kernelVersion: KERNEL_VERSION },
    });
    expect((error as Error).message).toContain(`[rule:versioned] supports @qunfa/core ^9.0.0`);
  });

  it('refuses a range that is not semver', () => {
    expect(() => createRegistry([ruleFor('latest please')])).toThrow(/not a semver range/);
  });

  it('define stamps the validated options, the range and the secret paths', () => {
    expect(ruleFor('^0.1.0')).toMatchObject({
      options: { token: 't' },
      kernel: '^0.1.0',
      secrets: ['token'],
    });
  });
});
