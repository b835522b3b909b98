/** What every plugin kind may declare besides its hooks; the kernel and the app read these, never the hooks. */
export interface PluginCommon {
  /**
   * The `@qunfa/core` versions the plugin was written for, as a semver range (`^0.1.0`);
   * the registry refuses the plugin when the running kernel is outside it. Unset: any.
   */
  kernel?: string;
  /** The options the plugin was made with, after validation: shown to admins, secrets masked. */
  options?: Readonly<Record<string, unknown>>;
  /** Paths (`appSecret`, `auth.token`) of options that hold secrets: masked wherever options are shown. */
  secrets?: readonly string[];
}
