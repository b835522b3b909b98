declare module 'js-yaml' {
  /** Parses one YAML document (js-yaml 4 ships no types of its own). */
  export function load(text: string): unknown;
}
