// Version 2 B-trees (HDF5 "BTHD"/"BTIN"/"BTLF"): every record, in order, whatever the depth.
// Used for dense link storage's name index (record type 5) and the chunk index of layout v4
// datasets with several unlimited dimensions (types 10, 11). The sizes of the child-pointer
// fields follow HDF5's H5B2__hdr_init; a wrong guess moves the checksum, which is verified on
// every node, so it gives up rather than misreads.
import { checkChecksum, UNDEFINED_ADDRESS, unsupported } from "./bytes.js";
import type { H5Context } from "./metadata.js";

/** Most records walked (links or chunks). */
const MAX_RECORDS = 1 << 22;
const MAX_DEPTH = 16;
/** Signature, version, type + checksum of every node. */
const NODE_OVERHEAD = 10;

/** Bytes HDF5 uses to store a count up to `n` (H5VM_limit_enc_size). */
function countBytes(n: number): number {
  return Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;
}

/** The records (each `recordSize` bytes, as a view) of the v2 B-tree at `address`, checking its type. */
export function readBtree2Records(ctx: H5Context, address: number, type: number, what: string): { recordSize: number; records: Buffer[] } {
  const { offsets: O, lengths: L } = ctx.sizes;
  const header = ctx.read(address, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + O + 2 + L + 4, what);
  const c = ctx.cursor(header, what);
  c.signature("BTHD");
  if (c.u8() !== 0) unsupported(`${what}: v2 B-tree version`);
  if (c.u8() !== type) unsupported(`${what}: v2 B-tree type`);
  const nodeSize = c.u32();
  const recordSize = c.u16();
  const depth = c.u16();
  c.skip(2); // split and merge percentages
  const root = c.address();
  const rootRecords = c.u16();
  const total = c.length();
  checkChecksum(header, 0, c.pos, what);
  if (recordSize < 1 || nodeSize <= NODE_OVERHEAD + recordSize || nodeSize > 1 << 20) unsupported(`${what}: v2 B-tree node size`);
  if (depth > MAX_DEPTH) unsupported(`${what}: v2 B-tree too deep`);
  if (total > MAX_RECORDS) unsupported(`${what}: too many records`);
  const records: Buffer[] = [];
  if (root === UNDEFINED_ADDRESS || total === 0) return { recordSize, records };

  // Per depth: most records in a node, and the sizes of a child pointer's two counts.
  const maxRecords: number[] = [Math.floor((nodeSize - NODE_OVERHEAD) / recordSize)];
  const cumulative: number[] = [maxRecords[0] as number];
  const cumulativeBytes: number[] = [0];
  const recordCountBytes = countBytes(maxRecords[0] as number);
  const pointerSize = (d: number): number => O + recordCountBytes + (d > 1 ? (cumulativeBytes[d - 1] as number) : 0);
  for (let d = 1; d <= depth; d++) {
    const pointer = pointerSize(d);
    const n = Math.floor((nodeSize - NODE_OVERHEAD - pointer) / (recordSize + pointer));
    if (n < 1) unsupported(`${what}: v2 B-tree node too small`);
    maxRecords.push(n);
    const cum = (n + 1) * (cumulative[d - 1] as number) + n;
    cumulative.push(cum);
    cumulativeBytes.push(countBytes(cum));
  }

  const seen = new Set<number>();
  const node = (at: number, count: number, level: number): void => {
    if (seen.has(at) || seen.size > MAX_RECORDS) unsupported(`${what}: v2 B-tree loop`);
    seen.add(at);
    if (count > (maxRecords[level] as number)) unsupported(`${what}: v2 B-tree node record count`);
    const buffer = ctx.read(at, nodeSize, what);
    const n = ctx.cursor(buffer, what);
    n.signature(level === 0 ? "BTLF" : "BTIN");
    if (n.u8() !== 0 || n.u8() !== type) unsupported(`${what}: v2 B-tree node`);
    const mine: Buffer[] = [];
    for (let i = 0; i < count; i++) mine.push(n.bytes(recordSize));
    const children: { at: number; count: number }[] = [];
    if (level > 0) {
      for (let i = 0; i <= count; i++) {
        const child = n.address();
        const childCount = n.uint(recordCountBytes);
        if (level > 1) n.uint(cumulativeBytes[level - 1] as number);
        children.push({ at: child, count: childCount });
      }
    }
    checkChecksum(buffer, 0, n.pos, what);
    // In order: child 0, record 0, child 1, record 1, ..., child n.
    for (let i = 0; i <= count; i++) {
      const child = children[i];
      if (child) node(child.at, child.count, level - 1);
      if (i < count) records.push(mine[i] as Buffer);
      if (records.length > total) unsupported(`${what}: v2 B-tree holds more records than it says`);
    }
  };
  node(root, rootRecords, depth);
  if (records.length !== total) unsupported(`${what}: v2 B-tree record count`);
  return { recordSize, records };
}
