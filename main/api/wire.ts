// The WebSocket wire format. Messages are JSON, except that typed arrays (live frames, decimated
// columns) travel as raw bytes behind the JSON in one binary frame, so a 384-channel frame is not
// turned into text. Used by both the host and the renderer: no Node or DOM APIs here.

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
  Int8Array
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;

interface TaRef {
  $ta: TypedArrayName;
  o: number; // byte offset of the data inside the frame
  n: number; // element count
}

const ALIGN = 8;
const align = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

function typedArrayName(value: unknown): TypedArrayName | null {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return null;
  const name = value.constructor.name as TypedArrayName;
  return name in TYPED_ARRAYS ? name : null;
}

/** Encodes a message: a string when it holds no typed array, else one binary frame. */
export function encode(message: unknown): string | Uint8Array<ArrayBuffer> {
  const arrays: AnyTypedArray[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    const name = typedArrayName(value);
    if (!name) return value;
    arrays.push(value as AnyTypedArray);
    return { $ta: name, o: -1, n: (value as AnyTypedArray).length, i: arrays.length - 1 };
  });
  if (arrays.length === 0) return json;

  // Second pass now that the JSON length (and so every data offset) is known. Offsets are written
  // as fixed-width numbers so the JSON length does not change between the passes.
  const header = new TextEncoder().encode(json);
  let offset = align(4 + header.length + arrays.length * 16);
  const offsets = arrays.map((a) => {
    const o = offset;
    offset = align(offset + a.byteLength);
    return o;
  });
  const finalJson = JSON.stringify(message, (_key, value: unknown) => {
    const name = typedArrayName(value);
    if (!name) return value;
    const i = arrays.indexOf(value as AnyTypedArray);
    return { $ta: name, o: offsets[i], n: (value as AnyTypedArray).length } satisfies TaRef;
  });
  const finalHeader = new TextEncoder().encode(finalJson);
  const dataStart = align(4 + finalHeader.length);
  if (dataStart > offsets[0]) throw new Error('wire: header grew past its reserved space');
  const out = new Uint8Array(offset);
  new DataView(out.buffer).setUint32(0, finalHeader.length, true);
  out.set(finalHeader, 4);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]));
  return out;
}

/** Decodes what encode() produced. Typed arrays are views into `data` (no copy). */
export function decode(data: string | ArrayBuffer | Uint8Array): unknown {
  if (typeof data === 'string') return JSON.parse(data);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  // Views need an 8-byte aligned base; copy once if the transport handed us an unaligned slice.
  const base = bytes.byteOffset % ALIGN === 0 ? bytes : bytes.slice();
  const view = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const length = view.getUint32(0, true);
  const json = new TextDecoder().decode(base.subarray(4, 4 + length));
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$ta' in value) {
      const ref = value as TaRef;
      const Ctor = TYPED_ARRAYS[ref.$ta];
      if (!Ctor) throw new Error(`wire: unknown typed array ${String(ref.$ta)}`);
      return new Ctor(base.buffer as ArrayBuffer, base.byteOffset + ref.o, ref.n);
    }
    return value;
  });
}

export type ClientMessage =
  | { t: 'call'; id: number; method: string; params?: unknown }
  | { t: 'sub'; event: string }
  | { t: 'unsub'; event: string };

export type ServerMessage =
  | { t: 'result'; id: number; result: unknown }
  | { t: 'error'; id: number; error: { name: string; code?: string; message: string } }
  | { t: 'event'; event: string; payload: unknown };
