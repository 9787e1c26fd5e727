// HDF5 metadata for the native reader: the superblock, object headers, the links of the root
// group and what a dataset's header says about its values (dataspace, datatype, filters,
// fill value, layout). Only what DeepReg's files and common writers (h5py, h5wasm) use is
// understood; anything else throws `Unsupported` and the read falls back to h5wasm.
import { checkChecksum, Cursor, FileBytes, UNDEFINED_ADDRESS, unsupported } from "./bytes.js";
import { readBtree2Records } from "./btree2.js";
import type { Sizes } from "./bytes.js";
import { lookup3 } from "./lookup3.js";

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Bounds that make any loop over file structures finite whatever the file says. */
const MAX_HEADER_CHUNKS = 256;
const MAX_MESSAGES = 65536;
const MAX_LINKS = 1 << 20;
const MAX_TREE_NODES = 1 << 20;

/** The superblock: where addresses start, field sizes and the root group's object header. */
export interface Superblock extends Sizes {
  version: number;
  base: number;
  root: number;
  /** File offset of the end of the file the superblock declares (base + end-of-file address). */
  end: number;
  /**
   * Why a file opened without h5wasm must not trust this superblock (undefined: it may): a field
   * HDF5 validates or follows at open (free-space, driver info, extension, B-tree ranks, flags)
   * that the native reader does not. The file is then opened through h5wasm as well.
   */
  distrust: string | undefined;
}

/** One object header message: its type, flags and body. */
export interface Message {
  type: number;
  flags: number;
  body: Buffer;
}

/** Reads the superblock (versions 0-3) found at 0, 512, 1024, ... */
export function readSuperblock(file: FileBytes): Superblock {
  let at = 0;
  for (; ; at = at === 0 ? 512 : at * 2) {
    if (at + 8 > file.size) unsupported("no HDF5 signature");
    if (file.read(at, 8, "signature").equals(SIGNATURE)) break;
  }
  const head = file.read(at, Math.min(file.size - at, 128), "superblock");
  const version = head[8] as number;
  if (version === 0 || version === 1) {
    const probe = new Cursor(head, { offsets: 8, lengths: 8 }, "superblock", 9);
    // Versions of the free-space storage, root group symbol table entry, reserved, shared header.
    const versions = [probe.u8(), probe.u8(), probe.u8(), probe.u8()];
    const offsets = probe.u8();
    const lengths = probe.u8();
    const sizes = checkSizes(offsets, lengths);
    const c = new Cursor(head, sizes, "superblock", probe.pos);
    c.skip(1); // reserved
    const leafK = c.u16();
    const internalK = c.u16();
    const flags = c.u32();
    const storageK = version === 1 ? c.u16() : 1;
    if (version === 1) c.skip(2); // reserved
    const base = c.address();
    const freeSpace = c.address();
    const eof = c.address();
    const driver = c.address();
    // Root group symbol table entry: link name offset, object header address, cache type, ...
    c.address();
    const root = c.address();
    let distrust: string | undefined;
    if (versions.some((v) => v !== 0)) distrust = "superblock: component versions";
    else if (leafK === 0 || internalK === 0 || storageK === 0) distrust = "superblock: B-tree ranks";
    else if (flags !== 0) distrust = "superblock: status flags";
    else if (freeSpace !== UNDEFINED_ADDRESS) distrust = "superblock: free-space info";
    else if (driver !== UNDEFINED_ADDRESS) distrust = "superblock: driver info";
    else if (eof === UNDEFINED_ADDRESS) distrust = "superblock: no end of file";
    return { version, base: checkBase(base, at), root: checkRoot(root), end: base + eof, distrust, ...sizes };
  }
  if (version === 2 || version === 3) {
    const sizes = checkSizes(head[9] as number, head[10] as number);
    const flags = head[11] as number;
    const c = new Cursor(head, sizes, "superblock", 12);
    const base = c.address();
    const extension = c.address();
    const eof = c.address();
    const root = c.address();
    checkChecksum(head, 0, c.pos, "superblock");
    let distrust: string | undefined;
    if (flags !== 0) distrust = "superblock: status flags";
    else if (extension !== UNDEFINED_ADDRESS) distrust = "superblock: extension";
    else if (eof === UNDEFINED_ADDRESS) distrust = "superblock: no end of file";
    return { version, base: checkBase(base, at), root: checkRoot(root), end: base + eof, distrust, ...sizes };
  }
  return unsupported(`superblock version ${version}`);
}

function checkSizes(offsets: number, lengths: number): Sizes {
  const ok = (n: number): boolean => n === 2 || n === 4 || n === 8;
  if (!ok(offsets) || !ok(lengths)) unsupported(`offset/length sizes ${offsets}/${lengths}`);
  return { offsets, lengths };
}

function checkBase(base: number, signatureAt: number): number {
  if (base !== signatureAt && base !== 0) unsupported(`base address ${base}`);
  return base;
}

function checkRoot(root: number): number {
  if (root === UNDEFINED_ADDRESS) unsupported("no root group");
  return root;
}

/** File access plus the superblock: turns relative addresses into file offsets. */
export class H5Context {
  readonly sizes: Sizes;

  constructor(
    readonly file: FileBytes,
    readonly superblock: Superblock,
  ) {
    this.sizes = { offsets: superblock.offsets, lengths: superblock.lengths };
  }

  /** The file offset of relative address `address`. */
  offset(address: number, what: string): number {
    if (address === UNDEFINED_ADDRESS) unsupported(`${what}: undefined address`);
    return this.superblock.base + address;
  }

  /** `length` bytes at `address` (relative), checked against the file. */
  read(address: number, length: number, what: string): Buffer {
    return this.file.read(this.offset(address, what), length, what);
  }

  /** As many bytes as the file has at `address`, at most `length`. */
  readUpTo(address: number, length: number, what: string): Buffer {
    const offset = this.offset(address, what);
    if (offset >= this.file.size) unsupported(`${what}: address beyond the file`);
    return this.file.read(offset, Math.min(length, this.file.size - offset), what);
  }

  cursor(buffer: Buffer, what: string, pos = 0): Cursor {
    return new Cursor(buffer, this.sizes, what, pos);
  }
}

/** The messages of the object header at `address` (version 1 or 2, continuation blocks followed). */
export function readObjectHeader(ctx: H5Context, address: number): Message[] {
  const first = ctx.readUpTo(address, 16, "object header");
  const messages: Message[] = [];
  const pending: { address: number; length: number }[] = [];
  const seen = new Set<number>();
  const v2 = first.length >= 4 && first.toString("latin1", 0, 4) === "OHDR";

  if (v2) {
    const prefix = ctx.readUpTo(address, 6 + 16 + 4 + 8, "object header");
    const c = ctx.cursor(prefix, "object header", 4);
    if (c.u8() !== 2) unsupported("object header version");
    const flags = c.u8();
    if (flags & 0x20) c.skip(16);
    if (flags & 0x10) c.skip(4);
    const size = c.uint(1 << (flags & 3));
    const start = c.pos;
    const whole = ctx.read(address, start + size + 4, "object header");
    checkChecksum(whole, 0, start + size, "object header");
    parseV2Messages(ctx, whole.subarray(start, start + size), flags, messages, pending);
    seen.add(address);
    for (let n = 0; pending.length > 0; n++) {
      const next = pending.shift() as { address: number; length: number };
      if (n >= MAX_HEADER_CHUNKS || seen.has(next.address)) unsupported("object header continuation loop");
      seen.add(next.address);
      if (next.length < 8) unsupported("object header continuation length");
      const block = ctx.read(next.address, next.length, "object header continuation");
      if (block.toString("latin1", 0, 4) !== "OCHK") unsupported("object header continuation signature");
      checkChecksum(block, 0, next.length - 4, "object header continuation");
      parseV2Messages(ctx, block.subarray(4, next.length - 4), flags, messages, pending);
    }
    return messages;
  }

  const c = ctx.cursor(first, "object header");
  if (c.u8() !== 1) unsupported("object header version");
  c.skip(1);
  const count = c.u16();
  c.skip(4);
  const size = c.u32();
  pending.push({ address: address + 16, length: size });
  let parsed = 0;
  for (let n = 0; pending.length > 0; n++) {
    const next = pending.shift() as { address: number; length: number };
    if (n >= MAX_HEADER_CHUNKS || seen.has(next.address)) unsupported("object header continuation loop");
    seen.add(next.address);
    const block = ctx.read(next.address, next.length, "object header");
    const m = ctx.cursor(block, "object header message");
    // `count` includes continuation messages (which addMessage does not keep).
    while (m.remaining >= 8 && parsed < count) {
      const type = m.u16();
      const length = m.u16();
      const flags = m.u8();
      m.skip(3);
      // Version 1 messages are 8-byte aligned (HDF5: "message not aligned").
      if (length % 8 !== 0) unsupported("object header message not aligned");
      const body = m.bytes(length);
      addMessage(ctx, { type, flags, body }, messages, pending);
      parsed += 1;
    }
    // HDF5 parses every message of every chunk whatever the count says: a count that does not
    // match the chunks (damage) could hide a message from one reader and not the other.
    if (m.remaining !== 0) unsupported("object header messages do not fill their chunk");
  }
  if (parsed !== count) unsupported("object header message count");
  return messages;
}

function parseV2Messages(ctx: H5Context, block: Buffer, headerFlags: number, messages: Message[], pending: { address: number; length: number }[]): void {
  const c = ctx.cursor(block, "object header message");
  const headerSize = headerFlags & 0x04 ? 6 : 4;
  while (c.remaining >= headerSize) {
    const type = c.u8();
    const length = c.u16();
    const flags = c.u8();
    if (headerFlags & 0x04) c.skip(2);
    const body = c.bytes(length);
    addMessage(ctx, { type, flags, body }, messages, pending);
  }
}

const CONTINUATION = 0x10;

function addMessage(ctx: H5Context, message: Message, messages: Message[], pending: { address: number; length: number }[]): void {
  if (messages.length >= MAX_MESSAGES) unsupported("too many object header messages");
  if (message.type === CONTINUATION) {
    const c = ctx.cursor(message.body, "continuation message");
    pending.push({ address: c.address(), length: c.length() });
    return;
  }
  messages.push(message);
}

/** The body of the one message of `type` (undefined when absent); shared messages are unsupported. */
export function findMessage(messages: readonly Message[], type: number): Buffer | undefined {
  const found = messages.filter((m) => m.type === type);
  if (found.length === 0) return undefined;
  if (found.length > 1) unsupported(`message ${type} given twice`);
  const message = found[0] as Message;
  if (message.flags & 0x02) unsupported(`shared message ${type}`);
  return message.body;
}

// --- Links of a group --------------------------------------------------------------------

/** The links of a group: name (UTF-8 bytes as latin1) -> object header address; `undefined` = not a plain hard link. */
export type LinkMap = Map<string, number | undefined>;

/** Every link of the group whose object header is at `address`. */
export function readLinks(ctx: H5Context, address: number): LinkMap {
  const messages = readObjectHeader(ctx, address);
  const links: LinkMap = new Map();
  const add = (name: string, target: number | undefined): void => {
    if (links.has(name)) unsupported("a name listed twice");
    if (links.size >= MAX_LINKS) unsupported("too many links");
    links.set(name, target);
  };
  const table = findMessage(messages, 0x11);
  if (table) {
    const c = ctx.cursor(table, "symbol table message");
    const btree = c.address();
    const heap = c.address();
    readSymbolTable(ctx, btree, heap, add);
  }
  for (const m of messages) {
    if (m.type !== 0x06) continue;
    if (m.flags & 0x02) unsupported("shared link message");
    const link = parseLink(ctx, m.body);
    add(link.name, link.target);
  }
  const info = findMessage(messages, 0x02);
  if (info) {
    const c = ctx.cursor(info, "link info message");
    if (c.u8() !== 0) unsupported("link info version");
    const flags = c.u8();
    if (flags & 0x01) c.skip(8);
    const heap = c.address();
    const names = c.address();
    if (heap !== UNDEFINED_ADDRESS || names !== UNDEFINED_ADDRESS) readDenseLinks(ctx, heap, names, add);
  }
  return links;
}

/** A link message: name bytes (latin1) and target (hard links only). */
function parseLink(ctx: H5Context, body: Buffer): { name: string; target: number | undefined } {
  const c = ctx.cursor(body, "link message");
  if (c.u8() !== 1) unsupported("link message version");
  const flags = c.u8();
  const type = flags & 0x08 ? c.u8() : 0;
  if (flags & 0x04) c.skip(8);
  if (flags & 0x10) c.skip(1);
  const nameLength = c.uint(1 << (flags & 3));
  if (nameLength === 0) unsupported("empty link name");
  const name = c.bytes(nameLength).toString("latin1");
  return { name, target: type === 0 ? c.address() : undefined };
}

/** Walks a group's v1 B-tree (type 0) and its symbol nodes, names from the local heap. */
function readSymbolTable(ctx: H5Context, btree: number, heapAddress: number, add: (name: string, target: number | undefined) => void): void {
  const heapHead = ctx.read(heapAddress, 8 + 2 * ctx.sizes.lengths + ctx.sizes.offsets, "local heap");
  const h = ctx.cursor(heapHead, "local heap");
  h.signature("HEAP");
  if (h.u8() !== 0) unsupported("local heap version");
  h.skip(3);
  const dataSize = h.length();
  h.length();
  const heap = ctx.read(h.address(), dataSize, "local heap data");
  const nameAt = (offset: number): string => {
    if (offset >= heap.length) unsupported("link name outside the local heap");
    const end = heap.indexOf(0, offset);
    if (end < 0) unsupported("unterminated link name");
    if (end === offset) unsupported("empty link name");
    return heap.toString("latin1", offset, end);
  };
  /** A B-tree key: the name at a heap offset, empty allowed (the first key is usually ""). */
  const keyAt = (offset: number): string => {
    if (offset >= heap.length) unsupported("B-tree key outside the local heap");
    const end = heap.indexOf(0, offset);
    if (end < 0) unsupported("unterminated B-tree key");
    return heap.toString("latin1", offset, end);
  };
  let visited = 0;
  const seen = new Set<number>();
  /**
   * The names under `node`, in order. HDF5 finds a name by binary search over the keys (child
   * i holds the names `key[i] < name <= key[i + 1]`, byte order) and then over a symbol node's
   * sorted entries: a name listed where that search would not find it (damaged keys or names)
   * is refused here, as h5wasm's lookup would not find it.
   */
  const walk = (node: number, expectedLevel: number | undefined): string[] => {
    if (seen.has(node) || ++visited > MAX_TREE_NODES) unsupported("B-tree loop");
    seen.add(node);
    const head = ctx.read(node, 8, "group B-tree node");
    const c0 = ctx.cursor(head, "group B-tree node");
    c0.signature("TREE");
    if (c0.u8() !== 0) unsupported("group B-tree node type");
    const level = c0.u8();
    if (expectedLevel !== undefined && level !== expectedLevel) unsupported("group B-tree level");
    const entries = c0.u16();
    const size = 8 + 2 * ctx.sizes.offsets + (entries + 1) * ctx.sizes.lengths + entries * ctx.sizes.offsets;
    const c = ctx.cursor(ctx.read(node, size, "group B-tree node"), "group B-tree node", 8 + 2 * ctx.sizes.offsets);
    const keys: string[] = [];
    const children: number[] = [];
    for (let i = 0; i < entries; i++) {
      keys.push(keyAt(c.length()));
      children.push(c.address());
    }
    keys.push(keyAt(c.length()));
    const names: string[] = [];
    children.forEach((child, i) => {
      const below = level > 0 ? walk(child, level - 1) : readSymbolNode(ctx, child, nameAt, add);
      for (const name of below) {
        if (!(name > (keys[i] as string) && name <= (keys[i + 1] as string))) unsupported("a name outside its B-tree key range");
        if (names.length > 0 && !(name > (names[names.length - 1] as string))) unsupported("names out of order");
        names.push(name);
      }
    });
    return names;
  };
  walk(btree, undefined);
}

function readSymbolNode(ctx: H5Context, address: number, nameAt: (offset: number) => string, add: (name: string, target: number | undefined) => void): string[] {
  const head = ctx.read(address, 8, "symbol node");
  const c0 = ctx.cursor(head, "symbol node");
  c0.signature("SNOD");
  if (c0.u8() !== 1) unsupported("symbol node version");
  c0.skip(1);
  const count = c0.u16();
  const entrySize = 2 * ctx.sizes.offsets + 24;
  const c = ctx.cursor(ctx.read(address, 8 + count * entrySize, "symbol node"), "symbol node", 8);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = nameAt(c.length());
    names.push(name);
    const target = c.address();
    const cacheType = c.u32();
    c.skip(20);
    // Cache type 2 is a soft link (its target path in the scratch pad): not a hard link.
    add(name, cacheType === 2 || target === UNDEFINED_ADDRESS ? undefined : target);
  }
  return names;
}

/** Dense link storage: every record of the v2 B-tree name index, each a link in the fractal heap. */
function readDenseLinks(ctx: H5Context, heapAddress: number, indexAddress: number, add: (name: string, target: number | undefined) => void): void {
  const heap = readFractalHeap(ctx, heapAddress);
  for (const { hash, id } of readNameIndex(ctx, indexAddress, heap.idLength)) {
    const link = parseLink(ctx, heapObject(ctx, heap, id));
    // HDF5 finds a name by its hash: a name whose hash is not the record's would not be found.
    if (lookup3(Buffer.from(link.name, "latin1")) !== hash) unsupported("link name hash mismatch");
    add(link.name, link.target);
  }
}

interface FractalHeap {
  address: number;
  idLength: number;
  checksummed: boolean;
  width: number;
  startSize: number;
  maxDirectSize: number;
  offsetBytes: number;
  lengthBytes: number;
  root: number;
  rootRows: number;
  maxDirectRows: number;
}

function log2(n: number): number {
  const l = Math.log2(n);
  return Number.isInteger(l) ? l : unsupported(`${n} is not a power of two`);
}

function readFractalHeap(ctx: H5Context, address: number): FractalHeap {
  const { offsets: O, lengths: L } = ctx.sizes;
  const size = 4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L + 2 + L + L + 2 + 2 + O + 2;
  const buffer = ctx.read(address, size + 4, "fractal heap");
  const c = ctx.cursor(buffer, "fractal heap");
  c.signature("FRHP");
  if (c.u8() !== 0) unsupported("fractal heap version");
  const idLength = c.u16();
  if (c.u16() !== 0) unsupported("filtered fractal heap");
  const flags = c.u8();
  const maxManaged = c.u32();
  c.skip(L + O + L + O + 8 * L);
  const width = c.u16();
  const startSize = c.length();
  const maxDirectSize = c.length();
  const maxHeapBits = c.u16();
  c.u16();
  const root = c.address();
  const rootRows = c.u16();
  checkChecksum(buffer, 0, c.pos, "fractal heap");
  if (width < 1 || width > 65536 || maxHeapBits < 1 || maxHeapBits > 53) unsupported("fractal heap geometry");
  const startBits = log2(startSize);
  const maxDirectBits = log2(maxDirectSize);
  if (startBits < 5 || maxDirectBits < startBits || maxDirectBits > 32) unsupported("fractal heap block sizes");
  const offsetBytes = Math.ceil(maxHeapBits / 8);
  const lengthBytes = Math.min(Math.ceil(maxDirectBits / 8), Math.floor(Math.log2(Math.max(1, maxManaged)) / 8) + 1);
  if (1 + offsetBytes + lengthBytes > idLength) unsupported("fractal heap ID length");
  return {
    address,
    idLength,
    checksummed: (flags & 0x02) !== 0,
    width,
    startSize,
    maxDirectSize,
    offsetBytes,
    lengthBytes,
    root,
    rootRows,
    maxDirectRows: maxDirectBits - startBits + 2,
  };
}

/** Size of the blocks of row `row` of a doubling table. */
function rowSize(heap: FractalHeap, row: number): number {
  return row < 2 ? heap.startSize : heap.startSize * 2 ** (row - 1);
}

/** The bytes of the managed object with heap ID `id`. */
function heapObject(ctx: H5Context, heap: FractalHeap, id: Buffer): Buffer {
  const c = ctx.cursor(id, "heap ID");
  const kind = c.u8();
  if ((kind & 0xc0) !== 0 || (kind & 0x30) !== 0) unsupported("heap object that is not managed");
  const offset = c.uint(heap.offsetBytes);
  const length = c.uint(heap.lengthBytes);
  if (length === 0) unsupported("empty heap object");
  if (heap.root === UNDEFINED_ADDRESS) unsupported("empty fractal heap");
  let block = heap.root;
  let blockOffset = 0;
  let rows = heap.rootRows;
  let blockSize = heap.startSize;
  for (let depth = 0; rows > 0; depth++) {
    if (depth > 16) unsupported("fractal heap too deep");
    // An indirect block: find the row and column holding `offset`.
    const { offsets: O } = ctx.sizes;
    const directRows = Math.min(rows, heap.maxDirectRows);
    const entries = directRows * heap.width + (rows - directRows) * heap.width;
    const headerSize = 4 + 1 + O + heap.offsetBytes;
    const buffer = ctx.read(block, headerSize + entries * O + 4, "fractal heap indirect block");
    const h = ctx.cursor(buffer, "fractal heap indirect block");
    h.signature("FHIB");
    if (h.u8() !== 0) unsupported("indirect block version");
    if (h.address() !== heap.address) unsupported("indirect block of another heap");
    const start = h.uint(heap.offsetBytes);
    if (start !== blockOffset) unsupported("indirect block offset");
    checkChecksum(buffer, 0, headerSize + entries * O, "fractal heap indirect block");
    let rowStart = blockOffset;
    let found = false;
    for (let row = 0; row < rows; row++) {
      const size = rowSize(heap, row);
      const span = size * heap.width;
      if (offset < rowStart + span) {
        const column = Math.floor((offset - rowStart) / size);
        const entry = h.pos + (row * heap.width + column) * O;
        const child = ctx.cursor(buffer, "fractal heap indirect block", entry).address();
        if (child === UNDEFINED_ADDRESS) unsupported("heap object in an unallocated block");
        block = child;
        blockOffset = rowStart + column * size;
        blockSize = size;
        rows = row < heap.maxDirectRows ? 0 : log2(size / (heap.startSize * heap.width)) + 1;
        found = true;
        break;
      }
      rowStart += span;
    }
    if (!found) unsupported("heap offset beyond the indirect block");
  }
  if (blockSize > heap.maxDirectSize) unsupported("direct block too large");
  const direct = ctx.read(block, blockSize, "fractal heap direct block");
  const d = ctx.cursor(direct, "fractal heap direct block");
  d.signature("FHDB");
  if (d.u8() !== 0) unsupported("direct block version");
  if (d.address() !== heap.address) unsupported("direct block of another heap");
  if (d.uint(heap.offsetBytes) !== blockOffset) unsupported("direct block offset");
  if (heap.checksummed) {
    const stored = d.u32();
    const copy = Buffer.from(direct);
    copy.writeUInt32LE(0, d.pos - 4);
    if (lookup3(copy) !== stored) unsupported("fractal heap direct block: checksum mismatch");
  }
  const at = offset - blockOffset;
  if (at < d.pos || at + length > blockSize) unsupported("heap object outside its block");
  return direct.subarray(at, at + length);
}

/** The heap IDs of every record of a link name index (v2 B-tree of type 5: name hash, heap ID). */
function readNameIndex(ctx: H5Context, address: number, idLength: number): { hash: number; id: Buffer }[] {
  const { recordSize, records } = readBtree2Records(ctx, address, 5, "link name index");
  if (recordSize !== 4 + idLength) unsupported("link name record size");
  return records.map((record) => ({ hash: record.readUInt32LE(0), id: record.subarray(4) }));
}
