/** The module's bytes assembled from WebAssembly text (SIMD enabled), validated. */
export function assemble(text: string): Promise<Buffer>;
/** The TypeScript source holding `bytes`. */
export function source(bytes: Buffer): string;
