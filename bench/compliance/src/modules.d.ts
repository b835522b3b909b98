// `ahocorasick` ships no type declarations.
declare module 'ahocorasick' {
  export default class AhoCorasick {
    constructor(keywords: string[]);
    search(text: string): [number, string[]][];
  }
}
