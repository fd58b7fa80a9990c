/**
 * The one place that decides which TensorFlow.js backend runs. Everything else does
 * `const tf = await loadTf()` and never imports @tensorflow/* directly.
 *
 * Order of preference: tfjs-node (native, optional dependency that often cannot install),
 * then tfjs + the WebAssembly backend (about 3x faster than pure JS here), then the cpu backend.
 * RETAIN_TF_BACKEND=tensorflow|wasm|cpu forces one (useful for benchmarks and debugging).
 */
import type * as TfNamespace from '@tensorflow/tfjs';
import { logger } from './logger';

export type Tf = typeof TfNamespace;
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

let loading: Promise<Tf> | undefined;

export function loadTf(): Promise<Tf> {
  loading ??= chooseBackend(process.env.RETAIN_TF_BACKEND as TfBackendName | undefined);
  return loading;
}

/** The backend in use, once loadTf() has resolved. */
export async function tfBackendName(): Promise<string> {
  const tf = await loadTf();
  return tf.getBackend();
}

function tryRequire<T>(name: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch {
    return undefined;
  }
}

async function chooseBackend(forced?: TfBackendName): Promise<Tf> {
  const attempts: string[] = [];
  if (!forced || forced === 'tensorflow') {
    const native = tryRequire<Tf>('@tensorflow/tfjs-node');
    if (native && native.getBackend() === 'tensorflow') return announce(native, attempts);
    attempts.push('tensorflow (not installed)');
  }
  // Silence the "install tfjs-node to speed things up" banner: we already tried it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, after tfjs-node was tried
  const tf = silenced(() => require('@tensorflow/tfjs') as Tf);
  if (!forced || forced === 'wasm') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend as a side effect
      silenced(() => require('@tensorflow/tfjs-backend-wasm'));
      if (await tf.setBackend('wasm')) return announce(tf, attempts);
      attempts.push('wasm (setBackend returned false)');
    } catch (err) {
      attempts.push(`wasm (${(err as Error).message})`);
    }
  }
  await tf.setBackend('cpu');
  return announce(tf, attempts);
}

function announce(tf: Tf, attempts: string[]): Tf {
  tf.enableProdMode();
  const skipped = attempts.length ? ` (unavailable: ${attempts.join(', ')})` : '';
  logger().info(`TensorFlow.js backend: ${tf.getBackend()}${skipped}`);
  return tf;
}

function silenced<T>(fn: () => T): T {
  const original = console.log;
  const originalWarn = console.warn;
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    return fn();
  } finally {
    console.log = original;
    console.warn = originalWarn;
  }
}
