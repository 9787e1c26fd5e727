// What a dataset's object header says about its values, and where its chunks are: dataspace,
// datatype (integers of 8-64 bits and IEEE float32/float64, either byte order), filter
// pipeline (deflate, shuffle), fill value (zero only), layout (compact, contiguous, chunked:
// v1 B-tree, single chunk, implicit, fixed array). Anything else is `Unsupported`.
import { checkChecksum, readUint, UNDEFINED_ADDRESS, unsupported } from "./bytes.js";
import { readBtree2Records } from "./btree2.js";
import { findMessage, readObjectHeader } from "./metadata.js";
import type { H5Context, Message } from "./metadata.js";

/** Most chunks a dataset may have for the native reader (beyond: fall back). */
const MAX_CHUNKS = 1 << 22;
const MAX_TREE_NODES = 1 << 20;

/** The stored element type. */
export interface ElementType {
  /** 0 integer, 1 float (HDF5 type classes). */
  typeClass: 0 | 1;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
  bigEndian: boolean;
}

/** One filter of the pipeline, in the order they were applied when writing. */
export interface Filter {
  id: 1 | 2;
  /** Client data: the deflate level, or shuffle's element size. */
  values: number[];
}

/** One stored chunk. */
export interface Chunk {
  /** Element coordinates of its first element. */
  offset: number[];
  /** File offset (absolute) of its stored bytes. */
  position: number;
  /** Stored size in bytes. */
  size: number;
  /** Filters skipped for this chunk (bit i: filter i). */
  mask: number;
}

/** Where a dataset's values are. */
export type Storage =
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "contiguous"; position: number | undefined }
  | { kind: "chunked"; dims: number[]; chunks: Chunk[] };

/** A dataset as the native reader sees it. */
export interface DatasetInfo {
  shape: number[];
  type: ElementType;
  filters: Filter[];
  storage: Storage;
}

/**
 * Messages a dataset header may hold when the file is opened without h5wasm (`strict`): the
 * ones read here, NIL, and the modification time (which HDF5 decodes when it opens the object).
 * Anything else (attributes, comments, ...) leaves the file to h5wasm, so that damage in a
 * message HDF5 decodes and the native reader does not can never pass unnoticed.
 */
const STRICT_MESSAGES = new Set([0x00, 0x01, 0x03, 0x05, 0x08, 0x0b, 0x12]);

/**
 * Reads the description of the dataset whose object header is at `address`. `strict` (a file
 * opened without h5wasm): only {@link STRICT_MESSAGES}, no message flags but "constant".
 */
export function readDataset(ctx: H5Context, address: number, strict = false): DatasetInfo {
  const messages = readObjectHeader(ctx, address);
  for (const m of messages) {
    // Values in another file (external file list), or a message HDF5 itself must understand to open the object.
    if (m.type === 0x07) unsupported("external storage");
    if (m.flags & 0x80) unsupported(`message ${m.type} marked "fail if unknown"`);
    if (strict) {
      if (!STRICT_MESSAGES.has(m.type)) unsupported(`message ${m.type} in a dataset opened without h5wasm`);
      if (m.flags & ~0x01) unsupported(`message ${m.type} flags ${m.flags}`);
      // HDF5: "bad version number for mtime message".
      if (m.type === 0x12 && (m.body.length < 8 || m.body[0] !== 1)) unsupported("modification time message");
    }
  }
  const { shape, unlimited } = readDataspace(ctx, need(messages, 0x01, "dataspace"));
  const type = readDatatype(ctx, need(messages, 0x03, "datatype"));
  const pipeline = findMessage(messages, 0x0b);
  const filters = pipeline ? readFilters(ctx, pipeline, type.size) : [];
  checkFillValue(ctx, messages, type.size);
  const storage = readLayout(ctx, need(messages, 0x08, "layout"), shape, unlimited, type.size, filters.length > 0);
  return { shape, type, filters, storage };
}

function need(messages: readonly Message[], type: number, what: string): Buffer {
  return findMessage(messages, type) ?? unsupported(`no ${what} message`);
}

/** The shape, and which axes are unlimited (maximum dimension all bits set). */
function readDataspace(ctx: H5Context, body: Buffer): { shape: number[]; unlimited: number[] } {
  const c = ctx.cursor(body, "dataspace");
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  if (version === 1) {
    if (flags & ~0x01) unsupported("dataspace flags"); // 0x02: a permutation index, never implemented by HDF5
    c.skip(5);
  } else if (version === 2) {
    if (flags & ~0x01) unsupported("dataspace flags");
    if (c.u8() !== 1) unsupported("dataspace that is not simple");
  } else {
    unsupported(`dataspace version ${version}`);
  }
  if (rank < 1 || rank > 32) unsupported(`rank ${rank}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(c.length());
  const unlimited: number[] = [];
  if (flags & 0x01) {
    for (let i = 0; i < rank; i++) {
      const max = c.bytes(ctx.sizes.lengths);
      if (max.every((b) => b === 0xff)) unlimited.push(i);
      // HDF5: "dataspace dim ... is greater than maxdim size".
      else if (readUint(max, 0, max.length, "dataspace") < (shape[i] as number)) unsupported("dataspace dimension beyond its maximum");
    }
  }
  return { shape, unlimited };
}

function readDatatype(ctx: H5Context, body: Buffer): ElementType {
  const c = ctx.cursor(body, "datatype");
  const head = c.u8();
  const typeClass = head & 0x0f;
  // HDF5 refuses versions outside 1-4 ("bad version number for datatype message"); 4 is for types not read here.
  const version = head >> 4;
  if (version < 1 || version > 3) unsupported(`datatype version ${version}`);
  const bits = c.u8();
  const signBit = c.u8();
  c.skip(1);
  const size = c.u32();
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) unsupported(`element size ${size}`);
  const bigEndian = (bits & 0x01) !== 0;
  if (typeClass === 0) {
    if (bits & 0x06 || signBit !== 0) unsupported("integer padding");
    if (c.u16() !== 0 || c.u16() !== size * 8) unsupported("integer bit offset/precision");
    return { typeClass: 0, size, signed: (bits & 0x08) !== 0, bigEndian };
  }
  if (typeClass === 1) {
    if (bits & 0x4e) unsupported("float padding or VAX order");
    const offset = c.u16();
    const precision = c.u16();
    const layout = [c.u8(), c.u8(), c.u8(), c.u8(), c.u32()];
    const ieee = size === 4 ? [23, 8, 0, 23, 127] : size === 8 ? [52, 11, 0, 52, 1023] : [];
    // Sign bit position (bits 8-15 of the class bits) and the mantissa normalisation (bits 4-5: implied).
    if (offset !== 0 || precision !== size * 8 || layout.some((v, i) => v !== ieee[i]) || (bits & 0x30) !== 0x20 || signBit !== size * 8 - 1) {
      unsupported("float that is not IEEE float32/float64");
    }
    return { typeClass: 1, size, signed: true, bigEndian };
  }
  return unsupported(`type class ${typeClass}`);
}

function readFilters(ctx: H5Context, body: Buffer, itemSize: number): Filter[] {
  const c = ctx.cursor(body, "filter pipeline");
  const version = c.u8();
  const count = c.u8();
  if (version === 1) c.skip(6);
  else if (version !== 2) unsupported(`filter pipeline version ${version}`);
  if (count > 32) unsupported("more than 32 filters");
  const filters: Filter[] = [];
  for (let i = 0; i < count; i++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    c.u16(); // flags (optional or not: a skipped filter shows in each chunk's mask)
    const valueCount = c.u16();
    if (version === 1 && nameLength % 8 !== 0) unsupported("filter name length not a multiple of 8");
    if (version === 1) c.skip(nameLength);
    else c.skip(nameLength);
    const values: number[] = [];
    for (let k = 0; k < valueCount; k++) values.push(c.u32());
    if (version === 1 && valueCount % 2 === 1) c.skip(4);
    if (id === 1) {
      filters.push({ id, values });
    } else if (id === 2) {
      if (values.length > 0 && values[0] !== itemSize) unsupported("shuffle element size");
      filters.push({ id, values });
    } else {
      unsupported(`filter ${id}`);
    }
  }
  if (filters.filter((f) => f.id === 1).length > 1 || filters.filter((f) => f.id === 2).length > 1) unsupported("a filter used twice");
  return filters;
}

/** Missing chunks and unwritten storage read as the fill value: only zero (the default) is native. */
function checkFillValue(ctx: H5Context, messages: readonly Message[], itemSize: number): void {
  const body = findMessage(messages, 0x05);
  let value: Buffer | undefined;
  if (body) {
    const c = ctx.cursor(body, "fill value");
    const version = c.u8();
    if (version === 1 || version === 2) {
      c.skip(2);
      const defined = c.u8();
      if (version === 1 || defined) {
        const size = c.u32();
        if (size > 0) value = c.bytes(size);
      }
    } else if (version === 3) {
      const flags = c.u8();
      if (flags & 0x20) value = c.bytes(c.u32());
    } else {
      unsupported(`fill value version ${version}`);
    }
  } else {
    const old = findMessage(messages, 0x04);
    if (old) {
      const c = ctx.cursor(old, "fill value");
      const size = c.u32();
      if (size > 0) value = c.bytes(size);
    }
  }
  if (value && (value.length !== itemSize || value.some((b) => b !== 0))) unsupported("non-zero fill value");
}

function readLayout(ctx: H5Context, body: Buffer, shape: readonly number[], unlimited: readonly number[], itemSize: number, filtered: boolean): Storage {
  const c = ctx.cursor(body, "layout");
  const version = c.u8();
  if (version !== 3 && version !== 4) unsupported(`layout version ${version}`);
  const layoutClass = c.u8();
  const bytes = shape.reduce((a, b) => a * b, itemSize);
  if (layoutClass === 0) {
    const size = c.u16();
    if (size !== bytes) unsupported("compact data size");
    return { kind: "bytes", bytes: c.bytes(size) };
  }
  if (layoutClass === 1) {
    const address = c.address();
    const size = c.length();
    if (address === UNDEFINED_ADDRESS) return { kind: "contiguous", position: undefined };
    if (size !== bytes) unsupported("contiguous data size");
    const position = ctx.offset(address, "contiguous data");
    ctx.file.check(position, size, "contiguous data");
    return { kind: "contiguous", position };
  }
  if (layoutClass !== 2) unsupported(`layout class ${layoutClass}`);
  const rank = shape.length;
  if (version === 3) {
    const ndims = c.u8();
    if (ndims !== rank + 1) unsupported("chunk rank");
    const address = c.address();
    const dims: number[] = [];
    for (let i = 0; i < ndims; i++) dims.push(c.u32());
    checkChunkDims(dims, itemSize);
    const chunkDims = dims.slice(0, rank);
    return { kind: "chunked", dims: chunkDims, chunks: address === UNDEFINED_ADDRESS ? [] : readBtreeChunks(ctx, address, shape, chunkDims, itemSize) };
  }
  const flags = c.u8();
  const ndims = c.u8();
  if (ndims !== rank + 1) unsupported("chunk rank");
  const dimBytes = c.u8();
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(c.uint(dimBytes));
  checkChunkDims(dims, itemSize);
  const chunkDims = dims.slice(0, rank);
  if (flags & 0x01) unsupported("edge chunks stored unfiltered");
  const index = c.u8();
  const chunkBytes = chunkDims.reduce((a, b) => a * b, itemSize);
  const grid = shape.map((d, i) => Math.ceil(d / (chunkDims[i] as number)));
  const count = grid.reduce((a, b) => a * b, 1);
  if (count > MAX_CHUNKS) unsupported("too many chunks");
  if (index === 1) {
    // Single chunk: the whole dataset is one chunk.
    let size = chunkBytes;
    let mask = 0;
    if (flags & 0x02) {
      size = c.length();
      mask = c.u32();
    } else if (filtered) {
      unsupported("single filtered chunk without its size");
    }
    const address = c.address();
    if (count !== 1) unsupported("single chunk index for several chunks");
    const chunks = address === UNDEFINED_ADDRESS ? [] : [chunkAt(ctx, address, size, mask, shape.map(() => 0))];
    return { kind: "chunked", dims: chunkDims, chunks };
  }
  if (index === 2) {
    // Implicit: every chunk allocated, unfiltered, in row-major order from the address.
    if (filtered) unsupported("implicit index with filters");
    const address = c.address();
    if (address === UNDEFINED_ADDRESS) return { kind: "chunked", dims: chunkDims, chunks: [] };
    const start = ctx.offset(address, "implicit chunks");
    ctx.file.check(start, count * chunkBytes, "implicit chunks");
    const chunks: Chunk[] = [];
    for (let i = 0; i < count; i++) {
      chunks.push({ offset: gridOffset(i, grid, chunkDims), position: start + i * chunkBytes, size: chunkBytes, mask: 0 });
    }
    return { kind: "chunked", dims: chunkDims, chunks };
  }
  if (index === 3) {
    c.u8(); // page bits (the header has them too)
    const address = c.address();
    const chunks = address === UNDEFINED_ADDRESS ? [] : readFixedArray(ctx, address, grid, chunkDims, chunkBytes, filtered);
    return { kind: "chunked", dims: chunkDims, chunks };
  }
  if (index === 4) {
    c.skip(5); // bits, index block elements, minimum pointers and elements, page bits (the header has them too)
    const address = c.address();
    if (unlimited.length !== 1) unsupported("extensible array index without one unlimited axis");
    const chunks = address === UNDEFINED_ADDRESS ? [] : readExtensibleArray(ctx, address, grid, chunkDims, chunkBytes, filtered, unlimited[0] as number);
    return { kind: "chunked", dims: chunkDims, chunks };
  }
  if (index === 5) {
    c.skip(4 + 1 + 1); // node size, split and merge percentages (the header has them too)
    const address = c.address();
    const chunks = address === UNDEFINED_ADDRESS ? [] : readBtree2Chunks(ctx, address, shape, chunkDims, chunkBytes, filtered);
    return { kind: "chunked", dims: chunkDims, chunks };
  }
  return unsupported(`chunk index type ${index}`);
}

/** Every chunk of a v2 B-tree chunk index (record type 10, or 11 when filtered: address, [size, mask,] scaled offsets). */
function readBtree2Chunks(ctx: H5Context, address: number, shape: readonly number[], dims: readonly number[], chunkBytes: number, filtered: boolean): Chunk[] {
  const { offsets: O } = ctx.sizes;
  const rank = shape.length;
  const { recordSize, records } = readBtree2Records(ctx, address, filtered ? 11 : 10, "chunk index");
  const sizeBytes = recordSize - O - 4 - 8 * rank;
  if (filtered ? sizeBytes < 1 || sizeBytes > 8 : recordSize !== O + 8 * rank) unsupported("chunk index record size");
  if (records.length > MAX_CHUNKS) unsupported("too many chunks");
  return records.map((record) => {
    const r = ctx.cursor(record, "chunk index record");
    const chunkAddress = r.address();
    const size = filtered ? r.uint(sizeBytes) : chunkBytes;
    const mask = filtered ? r.u32() : 0;
    const offset: number[] = [];
    for (let k = 0; k < rank; k++) offset.push(r.uint(8) * (dims[k] as number));
    if (offset.some((o, k) => !(o < (shape[k] as number)))) unsupported("chunk offset beyond the dataset");
    return chunkAt(ctx, chunkAddress, size, mask, offset);
  });
}

/**
 * Every allocated chunk of an extensible array chunk index (one unlimited axis). Chunk `i` is the
 * row-major index over the chunk grid with the unlimited axis moved first (HDF5 swizzles it);
 * elements 0.. are in the index block, then data blocks of doubling sizes, listed by the index
 * block and then by super blocks (H5EA__hdr_init's geometry). Paged data blocks are unsupported.
 */
function readExtensibleArray(
  ctx: H5Context,
  address: number,
  grid: readonly number[],
  dims: readonly number[],
  chunkBytes: number,
  filtered: boolean,
  unlimitedAxis: number,
): Chunk[] {
  const { offsets: O, lengths: L } = ctx.sizes;
  const head = ctx.read(address, 4 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 6 * L + O + 4, "extensible array header");
  const h = ctx.cursor(head, "extensible array header");
  h.signature("EAHD");
  if (h.u8() !== 0) unsupported("extensible array version");
  const client = h.u8();
  const elementSize = h.u8();
  const maxBits = h.u8();
  const indexElements = h.u8();
  const minElements = h.u8();
  const minPointers = h.u8();
  const pageBits = h.u8();
  h.skip(4 * L); // super/data block counts and sizes
  const maxIndexSet = h.length();
  h.length(); // elements realised
  const indexBlock = h.address();
  checkChecksum(head, 0, h.pos, "extensible array header");
  if (client !== (filtered ? 1 : 0)) unsupported("extensible array client");
  const sizeBytes = elementSize - O - 4;
  if (filtered ? sizeBytes < 1 || sizeBytes > 8 : elementSize !== O) unsupported("extensible array element size");
  const log2 = (n: number): number => (n >= 1 && Number.isInteger(Math.log2(n)) ? Math.log2(n) : unsupported("extensible array geometry"));
  if (maxBits < 1 || maxBits > 52 || pageBits > 31) unsupported("extensible array geometry");
  const minElementsBits = log2(minElements);
  const indexSuperBlocks = 2 * log2(minPointers);
  const superBlocks = 1 + maxBits - minElementsBits;
  if (superBlocks < indexSuperBlocks || superBlocks > 64) unsupported("extensible array geometry");
  // Geometry of super block s: its data blocks, their elements, the first element and data block.
  const info: { blocks: number; elements: number; start: number; firstBlock: number }[] = [];
  for (let s = 0, start = 0, firstBlock = 0; s < superBlocks; s++) {
    const blocks = 2 ** Math.floor(s / 2);
    const elements = 2 ** Math.floor((s + 1) / 2) * minElements;
    info.push({ blocks, elements, start, firstBlock });
    start += blocks * elements;
    firstBlock += blocks;
  }
  const offsetBytes = Math.ceil(maxBits / 8);
  const pageElements = 2 ** pageBits;
  if (indexBlock === UNDEFINED_ADDRESS) return [];

  // Chunks past the highest index ever set were never written.
  const count = grid.reduce((a, b) => a * b, 1);
  const indexDataBlocks = 2 * (minPointers - 1);
  const indexSuperAddresses = superBlocks - indexSuperBlocks;
  const ib = ctx.read(indexBlock, 4 + 1 + 1 + O + indexElements * elementSize + (indexDataBlocks + indexSuperAddresses) * O + 4, "extensible array index block");
  const i = ctx.cursor(ib, "extensible array index block");
  i.signature("EAIB");
  checkChecksum(ib, 0, ib.length - 4, "extensible array index block");
  if (i.u8() !== 0 || i.u8() !== client) unsupported("extensible array index block");
  if (i.address() !== address) unsupported("extensible array index block of another header");
  const elementsAt = i.pos;
  i.skip(indexElements * elementSize);
  const dataBlockAddresses: number[] = [];
  for (let k = 0; k < indexDataBlocks; k++) dataBlockAddresses.push(i.address());
  const superBlockAddresses: number[] = [];
  for (let k = 0; k < indexSuperAddresses; k++) superBlockAddresses.push(i.address());

  // Blocks read once each (checksummed), by address.
  const blocks = new Map<number, Buffer>();
  const dataBlock = (at: number, s: number): { buffer: Buffer; start: number } => {
    const elements = (info[s] as (typeof info)[number]).elements;
    if (elements > pageElements) unsupported("paged extensible array data block");
    const headerSize = 4 + 1 + 1 + O + offsetBytes;
    let buffer = blocks.get(at);
    if (!buffer) {
      buffer = ctx.read(at, headerSize + elements * elementSize + 4, "extensible array data block");
      const d = ctx.cursor(buffer, "extensible array data block");
      d.signature("EADB");
      checkChecksum(buffer, 0, buffer.length - 4, "extensible array data block");
      if (d.u8() !== 0 || d.u8() !== client) unsupported("extensible array data block");
      if (d.address() !== address) unsupported("extensible array data block of another header");
      blocks.set(at, buffer);
    }
    return { buffer, start: headerSize };
  };
  const superBlockCache = new Map<number, number[]>();
  const superBlock = (at: number, s: number): number[] => {
    const n = (info[s] as (typeof info)[number]).blocks;
    const cached = superBlockCache.get(at);
    if (cached) return cached;
    const headerSize = 4 + 1 + 1 + O + offsetBytes;
    const buffer = ctx.read(at, headerSize + n * O + 4, "extensible array super block");
    const b = ctx.cursor(buffer, "extensible array super block");
    b.signature("EASB");
    checkChecksum(buffer, 0, buffer.length - 4, "extensible array super block");
    if (b.u8() !== 0 || b.u8() !== client) unsupported("extensible array super block");
    if (b.address() !== address) unsupported("extensible array super block of another header");
    b.skip(offsetBytes);
    const addresses: number[] = [];
    for (let k = 0; k < n; k++) addresses.push(b.address());
    superBlockCache.set(at, addresses);
    return addresses;
  };

  // The chunk grid with the unlimited axis first: chunk i of the array is at these grid coordinates.
  const order = [unlimitedAxis, ...grid.map((_, k) => k).filter((k) => k !== unlimitedAxis)];
  const orderedGrid = order.map((k) => grid[k] as number);
  const chunks: Chunk[] = [];
  const limit = Math.min(count, maxIndexSet);
  for (let n = 0; n < limit; n++) {
    let buffer: Buffer;
    let at: number;
    if (n < indexElements) {
      buffer = ib;
      at = elementsAt + n * elementSize;
    } else {
      const e = n - indexElements;
      const s = Math.floor(Math.log2(Math.floor(e / minElements) + 1));
      const sb = info[s];
      if (!sb) unsupported("extensible array index beyond its super blocks");
      if (sb.elements > pageElements) unsupported("paged extensible array data block");
      const within = e - sb.start;
      const block = Math.floor(within / sb.elements);
      let blockAddress: number;
      if (s < indexSuperBlocks) {
        blockAddress = dataBlockAddresses[sb.firstBlock + block] as number;
      } else {
        const superAddress = superBlockAddresses[s - indexSuperBlocks] as number;
        if (superAddress === UNDEFINED_ADDRESS) continue;
        blockAddress = superBlock(superAddress, s)[block] as number;
      }
      if (blockAddress === UNDEFINED_ADDRESS || blockAddress === undefined) continue;
      const data = dataBlock(blockAddress, s);
      buffer = data.buffer;
      at = data.start + (within % sb.elements) * elementSize;
    }
    const e = ctx.cursor(buffer, "extensible array element", at);
    const chunkAddress = e.address();
    const size = filtered ? e.uint(sizeBytes) : chunkBytes;
    const mask = filtered ? e.u32() : 0;
    if (chunkAddress === UNDEFINED_ADDRESS) continue;
    const ordered = gridOffset(n, orderedGrid, order.map((k) => dims[k] as number));
    const offset = new Array<number>(grid.length);
    order.forEach((k, j) => {
      offset[k] = ordered[j] as number;
    });
    chunks.push(chunkAt(ctx, chunkAddress, size, mask, offset));
  }
  return chunks;
}

function checkChunkDims(dims: readonly number[], itemSize: number): void {
  if (dims[dims.length - 1] !== itemSize) unsupported("chunk element size");
  if (dims.some((d) => !(d >= 1))) unsupported("zero chunk dimension");
}

/** Element offset of chunk number `index` of a row-major chunk grid. */
function gridOffset(index: number, grid: readonly number[], dims: readonly number[]): number[] {
  const offset = new Array<number>(grid.length);
  for (let k = grid.length - 1; k >= 0; k--) {
    const g = grid[k] as number;
    offset[k] = (index % g) * (dims[k] as number);
    index = Math.floor(index / g);
  }
  return offset;
}

function chunkAt(ctx: H5Context, address: number, size: number, mask: number, offset: number[]): Chunk {
  const position = ctx.offset(address, "chunk");
  ctx.file.check(position, size, "chunk");
  return { offset, position, size, mask };
}

/** Every chunk of a version-1 B-tree (type 1) chunk index. */
function readBtreeChunks(ctx: H5Context, root: number, shape: readonly number[], dims: readonly number[], itemSize: number): Chunk[] {
  const rank = shape.length;
  const { offsets: O } = ctx.sizes;
  const keySize = 8 + 8 * (rank + 1);
  const chunks: Chunk[] = [];
  const seen = new Set<number>();
  const walk = (node: number, expectedLevel: number | undefined): void => {
    if (seen.has(node) || seen.size >= MAX_TREE_NODES) unsupported("chunk B-tree loop");
    seen.add(node);
    const head = ctx.cursor(ctx.read(node, 8, "chunk B-tree node"), "chunk B-tree node");
    head.signature("TREE");
    if (head.u8() !== 1) unsupported("chunk B-tree node type");
    const level = head.u8();
    if (expectedLevel !== undefined && level !== expectedLevel) unsupported("chunk B-tree level");
    const entries = head.u16();
    const size = 8 + 2 * O + (entries + 1) * keySize + entries * O;
    const c = ctx.cursor(ctx.read(node, size, "chunk B-tree node"), "chunk B-tree node", 8 + 2 * O);
    if (entries === 0) unsupported("empty chunk B-tree node");
    const children: { address: number; size: number; mask: number; offset: number[] }[] = [];
    // Every key, the last (right bound) included, as HDF5 decodes them: offsets multiples of the chunk shape.
    for (let i = 0; i <= entries; i++) {
      const stored = c.u32();
      const mask = c.u32();
      const offset: number[] = [];
      for (let k = 0; k <= rank; k++) offset.push(c.uint(8));
      if (offset.some((o, k) => o % (k < rank ? (dims[k] as number) : itemSize) !== 0)) unsupported("bad chunk coordinate offset");
      if (i < entries) children.push({ address: c.address(), size: stored, mask, offset: offset.slice(0, rank) });
    }
    for (const child of children) {
      if (level > 0) {
        walk(child.address, level - 1);
        continue;
      }
      if (chunks.length >= MAX_CHUNKS) unsupported("too many chunks");
      if (child.offset.some((o, k) => o >= (shape[k] as number))) unsupported("chunk offset beyond the dataset");
      chunks.push(chunkAt(ctx, child.address, child.size, child.mask, child.offset));
    }
  };
  walk(root, undefined);
  return chunks;
}

/** Every allocated chunk of a fixed array chunk index (paged or not). */
function readFixedArray(ctx: H5Context, address: number, grid: readonly number[], dims: readonly number[], chunkBytes: number, filtered: boolean): Chunk[] {
  const { offsets: O, lengths: L } = ctx.sizes;
  const head = ctx.read(address, 8 + L + O + 4, "fixed array header");
  const h = ctx.cursor(head, "fixed array header");
  h.signature("FAHD");
  if (h.u8() !== 0) unsupported("fixed array version");
  const client = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = h.length();
  const block = h.address();
  checkChecksum(head, 0, h.pos, "fixed array header");
  const expected = grid.reduce((a, b) => a * b, 1);
  if (count !== expected) unsupported("fixed array length");
  if (client !== (filtered ? 1 : 0)) unsupported("fixed array client");
  const sizeBytes = entrySize - O - 4;
  if (filtered ? sizeBytes < 1 || sizeBytes > 8 : entrySize !== O) unsupported("fixed array entry size");
  if (pageBits < 1 || pageBits > 31) unsupported("fixed array page bits");
  if (block === UNDEFINED_ADDRESS) return [];

  const pageLength = 2 ** pageBits;
  const paged = count > pageLength;
  const pages = paged ? Math.ceil(count / pageLength) : 0;
  const bitmapBytes = Math.ceil(pages / 8);
  const prefix = 4 + 1 + 1 + O + bitmapBytes;
  const body = paged ? 0 : count * entrySize;
  const first = ctx.read(block, prefix + body + 4, "fixed array data block");
  const b = ctx.cursor(first, "fixed array data block");
  b.signature("FADB");
  checkChecksum(first, 0, prefix + body, "fixed array data block");
  if (b.u8() !== 0 || b.u8() !== client) unsupported("fixed array data block");
  if (b.address() !== address) unsupported("fixed array data block of another header");
  const bitmap = b.bytes(bitmapBytes);

  const chunks: Chunk[] = [];
  const decode = (buffer: Buffer, at: number, n: number, firstIndex: number): void => {
    const e = ctx.cursor(buffer, "fixed array element", at);
    for (let i = 0; i < n; i++) {
      const chunkAddress = e.address();
      const size = filtered ? e.uint(sizeBytes) : chunkBytes;
      const mask = filtered ? e.u32() : 0;
      if (chunkAddress === UNDEFINED_ADDRESS) continue;
      chunks.push(chunkAt(ctx, chunkAddress, size, mask, gridOffset(firstIndex + i, grid, dims)));
    }
  };
  if (!paged) {
    decode(first, prefix, count, 0);
    return chunks;
  }
  let pageAddress = block + prefix + 4;
  for (let p = 0; p < pages; p++) {
    const n = Math.min(pageLength, count - p * pageLength);
    const size = n * entrySize + 4;
    if (((bitmap[p >> 3] as number) >> (7 - (p & 7))) & 1) {
      const page = ctx.read(pageAddress, size, "fixed array page");
      checkChecksum(page, 0, size - 4, "fixed array page");
      decode(page, 0, n, p * pageLength);
    }
    pageAddress += size;
  }
  return chunks;
}
