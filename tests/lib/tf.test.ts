import { loadTf, tfBackendName } from '../../lib/tf';

describe('TensorFlow.js loader', () => {
  it('loads the fastest backend available and computes with it', async () => {
    const tf = await loadTf();
    // tfjs-node cannot install on this machine (it downloads a native library); wasm is next.
    const expected =
      process.env.RETAIN_TF_BACKEND ?? (hasModule('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm');
    expect(await tfBackendName()).toBe(expected);
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await product.data())).toEqual([11]);
    expect(await loadTf()).toBe(tf); // decided once
  });
});

function hasModule(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
