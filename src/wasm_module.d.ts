// The wasm core is inlined by @rollup/plugin-wasm (sync mode): calling the default export
// without imports compiles it synchronously and returns the WebAssembly.Module.
declare module '*.wasm' {
  const load: (imports?: WebAssembly.Imports) => WebAssembly.Module;
  export default load;
}
