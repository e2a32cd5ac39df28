/** Files bundled as their text: esbuild's `text` loader in the bundles, a Jest transform in the tests. */
declare module '*.sh' {
  const text: string;
  export default text;
}
