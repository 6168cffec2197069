/**
 * Reader of the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header {name: {dtype, shape, data_offsets: [begin, end]}}, then the raw little-endian data.
 * F32, F16 and BF16 tensors are returned as Float32Array.
 */
export interface LoadedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: number[];
  readonly data_offsets: [number, number];
}

export function readSafetensors(bytes: Uint8Array, file = 'model.safetensors'): Map<string, LoadedTensor> {
  const fail = (why: string): never => {
    throw new Error(`${file} is not a readable safetensors file (${why}).`);
  };
  if (bytes.byteLength < 8) fail('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength <= 0 || 8 + headerLength > bytes.byteLength) fail('bad header length');
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as typeof header;
  } catch {
    return fail('header is not JSON');
  }
  const base = 8 + headerLength;
  const out = new Map<string, LoadedTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const width = entry.dtype === 'F32' ? 4 : entry.dtype === 'F16' || entry.dtype === 'BF16' ? 2 : 0;
    if (width === 0) fail(`tensor ${name} has dtype ${entry.dtype}; only F32, F16 and BF16 are supported`);
    if (end - begin !== count * width || base + end > bytes.byteLength)
      fail(`tensor ${name} has inconsistent offsets`);
    const data = new Float32Array(count);
    const at = base + begin;
    for (let i = 0; i < count; i++) {
      if (entry.dtype === 'F32') data[i] = view.getFloat32(at + 4 * i, true);
      else if (entry.dtype === 'BF16') data[i] = bf16(view.getUint16(at + 2 * i, true));
      else data[i] = f16(view.getUint16(at + 2 * i, true));
    }
    out.set(name, { shape: entry.shape, data });
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));
function bf16(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

function f16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Writes F32 tensors as safetensors (tests write tiny random checkpoints with it). */
export function writeSafetensors(tensors: ReadonlyMap<string, LoadedTensor>): Uint8Array {
  const header: Record<string, HeaderEntry> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i] ?? 0, true);
    at += t.data.length * 4;
  }
  return out;
}
