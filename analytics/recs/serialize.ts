/**
 * A trained recommender as JSON (typed arrays as base64, little-endian as on every platform Node
 * runs on), so a model is trained once and loaded in milliseconds by the CLI and the bot.
 */
import type { RecsModel } from './model';

type Typed = Int32Array | Float32Array | Float64Array;
interface Encoded {
  $t: 'i32' | 'f32' | 'f64';
  b64: string;
}

const ctors = { i32: Int32Array, f32: Float32Array, f64: Float64Array } as const;

function encode(a: Typed): Encoded {
  const $t = a instanceof Int32Array ? 'i32' : a instanceof Float32Array ? 'f32' : 'f64';
  return { $t, b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

function decode(e: Encoded): Typed {
  const buf = Buffer.from(e.b64, 'base64');
  // Copy into a fresh, aligned buffer (Buffer pools may start at odd offsets).
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  return new ctors[e.$t](bytes.buffer);
}

function isEncoded(v: unknown): v is Encoded {
  return typeof v === 'object' && v !== null && '$t' in v && 'b64' in v;
}

export function serializeRecsModel(model: RecsModel): string {
  const { itemIndex: _i, customerIndex: _c, ...rest } = model;
  return JSON.stringify(rest, (_key, value) => {
    if (value instanceof Int32Array || value instanceof Float32Array || value instanceof Float64Array)
      return encode(value);
    // JSON has no NaN (unknown prices): keep them in the binary arrays only.
    return value;
  });
}

export function deserializeRecsModel(text: string): RecsModel {
  const raw = JSON.parse(text, (_key, value) => (isEncoded(value) ? decode(value) : value)) as Omit<
    RecsModel,
    'itemIndex' | 'customerIndex'
  >;
  if (typeof raw.version !== 'string' || !raw.version.startsWith('recs-hybrid-')) {
    throw new Error(`not a recommendation model (version ${String(raw.version)})`);
  }
  return {
    ...raw,
    itemIndex: new Map(raw.items.skus.map((s, i) => [s, i] as [string, number])),
    customerIndex: new Map(raw.customers.ids.map((s, i) => [s, i] as [string, number])),
  };
}
