// Volumes without ndarray's generated code: ndarray compiles its view constructors with
// `new Function`, which a page under a strict Content-Security-Policy (no 'unsafe-eval')
// refuses. The `browser` entry of this package creates volumes with this class instead: the
// same fields and element access (`get`, `set`, `index`) as an ndarray view of a contiguous
// row-major array; strided views (`pick`, `lo`, `hi`, `step`, `transpose`) are not offered.
import type { NdArray } from "ndarray";
import { DeepRegLoaderError } from "./errors.js";
import { assertVolumeShape, shapeSize } from "./volume.js";
import type { Volume, VolumeData } from "./volume.js";

class PlainVolume {
  readonly data: Float32Array;
  readonly shape: number[];
  readonly stride: number[];
  readonly offset = 0;
  readonly dtype = "float32" as const;

  constructor(data: Float32Array, shape: number[]) {
    this.data = data;
    this.shape = shape;
    this.stride = new Array<number>(shape.length);
    let s = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      this.stride[d] = s;
      s *= shape[d] as number;
    }
  }

  get size(): number {
    return shapeSize(this.shape);
  }

  get dimension(): number {
    return this.shape.length;
  }

  get order(): number[] {
    return this.shape.map((_, d) => this.shape.length - 1 - d);
  }

  index(...idx: number[]): number {
    let i = 0;
    for (let d = 0; d < this.stride.length; d++) i += (this.stride[d] as number) * (idx[d] as number);
    return i;
  }

  get(...idx: number[]): number {
    return this.data[this.index(...idx)] as number;
  }

  set(...args: number[]): number {
    const value = args[args.length - 1] as number;
    this.data[this.index(...args.slice(0, -1))] = value;
    return value;
  }

  #noView(name: string): never {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `${name}() views are not available in the browser build of @deepreg-loader/core`);
  }

  pick(): never {
    return this.#noView("pick");
  }
  lo(): never {
    return this.#noView("lo");
  }
  hi(): never {
    return this.#noView("hi");
  }
  step(): never {
    return this.#noView("step");
  }
  transpose(): never {
    return this.#noView("transpose");
  }
}

/** `createVolume` without generated code (browser entry). */
export function createVolume(data: Float32Array, shape: readonly number[]): Volume {
  assertVolumeShape(data, shape);
  return new PlainVolume(data, [...shape]) as unknown as NdArray<Float32Array>;
}

/** `zerosVolume` without generated code (browser entry). */
export function zerosVolume(shape: readonly number[]): Volume {
  return createVolume(new Float32Array(shapeSize(shape)), shape);
}

/** `fromVolumeData` without generated code (browser entry). */
export function fromVolumeData(value: VolumeData): Volume {
  return createVolume(value.data, value.shape);
}
