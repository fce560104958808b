import type { BoundLayer } from '../spec/layer.schema';
import { MNIST_LAYERS } from '../testing/fixtures';
import { analyzeLayers, layerCost } from './analyze';

const cost = (layer: object, input: number[]) => layerCost(layer as BoundLayer, input);

describe('Keras MNIST convnet (keras.io/examples/vision/mnist_convnet)', () => {
  const layers = MNIST_LAYERS as BoundLayer[];

  it('counts the 34,826 parameters of its model.summary()', () => {
    const model = analyzeLayers([28, 28, 1], layers);
    expect(model.params).toBe(34_826);
    expect(model.layers).toBe(7);
    expect(model.outputShape).toEqual([10]);
  });

  it('counts forward FLOPs by hand, a multiply-add as 2', () => {
    // conv1 26·26·32 outputs: 2·9·1 each + bias + relu; pool1 13·13·32 × 4 compares;
    // conv2 11·11·64 outputs: 2·9·32 each + bias + relu; pool2 5·5·64 × 4; dropout 1600 masks;
    // dense 2·1600·10 + 10 bias + 3·10 softmax.
    const conv1 = 26 * 26 * 32 * (2 * 9 + 2);
    const pool1 = 13 * 13 * 32 * 4;
    const conv2 = 11 * 11 * 64 * (2 * 9 * 32 + 2);
    const pool2 = 5 * 5 * 64 * 4;
    const dense = 2 * 1600 * 10 + 10 + 30;
    expect(analyzeLayers([28, 28, 1], layers).flops).toBe(conv1 + pool1 + conv2 + pool2 + 1600 + dense);
    expect(conv1 + pool1 + conv2 + pool2 + 1600 + dense).toBe(4_970_344);
  });
});

describe('layer catalogue against published or hand-computed counts', () => {
  it('dense: Keras MLP on MNIST, Dense(512) on 784 inputs has 401,920 params', () => {
    const c = cost({ type: 'dense', units: 512 }, [784]);
    expect(c.params).toBe(401_920);
    expect(c.flops).toBe(2 * 784 * 512 + 512);
    expect(c.outputShape).toEqual([512]);
  });

  it('dense on a sequence acts per position (Keras Dense on [seq, d])', () => {
    const c = cost({ type: 'dense', units: 8, useBias: false }, [5, 4]);
    expect(c.params).toBe(32);
    expect(c.flops).toBe(5 * 2 * 4 * 8);
    expect(c.outputShape).toEqual([5, 8]);
  });

  it('conv1d: Conv1D(64, 3) on (100, 16): 3·16·64 + 64 = 3,136 params, 98 steps out', () => {
    const c = cost({ type: 'conv1d', filters: 64, kernel: 3 }, [100, 16]);
    expect(c.params).toBe(3_136);
    expect(c.outputShape).toEqual([98, 64]);
    expect(c.flops).toBe(2 * 3 * 16 * 98 * 64 + 98 * 64);
  });

  it('conv2d: stride and same padding follow Keras (ceil(n / stride))', () => {
    const c = cost({ type: 'conv2d', filters: 64, kernel: 7, stride: 2, padding: 'same' }, [224, 224, 3]);
    // ResNet-50 conv1: 7·7·3·64 + 64 = 9,472 params, 112×112×64 out.
    expect(c.params).toBe(9_472);
    expect(c.outputShape).toEqual([112, 112, 64]);
    expect(c.flops).toBe(112 * 112 * 64 * (2 * 7 * 7 * 3 + 1));
  });

  it('depthwiseconv2d: MobileNet v1 3×3 depthwise on 112×112×32 has 288 weights and 3.61 M mult-adds (Howard et al. 2017)', () => {
    const c = cost({ type: 'depthwiseconv2d', kernel: 3, padding: 'same', useBias: false }, [112, 112, 32]);
    expect(c.params).toBe(288);
    expect(c.flops / 2).toBe(3 * 3 * 32 * 112 * 112);
    expect(c.outputShape).toEqual([112, 112, 32]);
  });

  it('separableconv2d: SeparableConv2D(64, 3) on 32×32×32: 288 + 2,048 + 64 = 2,400 params', () => {
    const c = cost({ type: 'separableconv2d', filters: 64, kernel: 3 }, [32, 32, 32]);
    expect(c.params).toBe(2_400);
    expect(c.outputShape).toEqual([30, 30, 64]);
    expect(c.flops).toBe(2 * 9 * 30 * 30 * 32 + 2 * 32 * 30 * 30 * 64 + 30 * 30 * 64);
  });

  it('maxpool2d and avgpool2d: a window compare/add per element; stride defaults to the pool', () => {
    for (const type of ['maxpool2d', 'avgpool2d']) {
      const c = cost({ type, pool: 2 }, [26, 26, 32]);
      expect(c.params).toBe(0);
      expect(c.outputShape).toEqual([13, 13, 32]);
      expect(c.flops).toBe(13 * 13 * 32 * 4);
    }
    expect(cost({ type: 'maxpool2d', pool: 3, stride: 2, padding: 'same' }, [27, 27, 8]).outputShape).toEqual([14, 14, 8]);
  });

  it('globalavgpool2d: ResNet-50 head, 7×7×2048 → 2048', () => {
    const c = cost({ type: 'globalavgpool2d' }, [7, 7, 2048]);
    expect(c).toMatchObject({ params: 0, flops: 7 * 7 * 2048, outputShape: [2048] });
  });

  it('flatten and dropout carry no parameters', () => {
    expect(cost({ type: 'flatten' }, [5, 5, 64])).toMatchObject({ params: 0, flops: 0, outputShape: [1600] });
    expect(cost({ type: 'dropout', rate: 0.5 }, [1600])).toMatchObject({ params: 0, flops: 1600, outputShape: [1600] });
  });

  it('batchnorm: Keras counts 4 per channel (gamma, beta, moving mean, moving variance)', () => {
    expect(cost({ type: 'batchnorm' }, [56, 56, 64])).toMatchObject({ params: 256, flops: 2 * 56 * 56 * 64 });
  });

  it('layernorm: gamma and beta on the last axis; BERT-base 768 → 1,536', () => {
    expect(cost({ type: 'layernorm' }, [128, 768])).toMatchObject({ params: 1_536, flops: 5 * 128 * 768 });
  });

  it('embedding: BERT-base token table 30,522 × 768 = 23,440,896 (Devlin et al. 2019)', () => {
    const c = cost({ type: 'embedding', inputDim: 30_522, outputDim: 768 }, [128]);
    expect(c).toMatchObject({ params: 23_440_896, flops: 0, outputShape: [128, 768] });
  });

  it('lstm: LSTM(64) on (10, 32): 4·(64·(32+64) + 64) = 24,832 params', () => {
    const c = cost({ type: 'lstm', units: 64 }, [10, 32]);
    expect(c.params).toBe(24_832);
    expect(c.flops).toBe(10 * (8 * 64 * 96 + 28 * 64));
    expect(c.outputShape).toEqual([64]);
    expect(cost({ type: 'lstm', units: 64, returnSequences: true }, [10, 32]).outputShape).toEqual([10, 64]);
  });

  it('gru: GRU(64) on (10, 32), reset_after: 3·(64·96 + 2·64) = 18,816 params', () => {
    const c = cost({ type: 'gru', units: 64 }, [10, 32]);
    expect(c.params).toBe(18_816);
    expect(c.flops).toBe(10 * (6 * 64 * 96 + 22 * 64));
  });

  const bertAttentionFlops =
    8 * 128 * 768 * 768 + // Q, K, V, O projections
    4 * 128 * 768 + // their biases
    2 * 128 * 128 * 768 + // scores
    4 * 12 * 128 * 128 + // scale and softmax
    2 * 128 * 128 * 768; // weighted sum

  it('attention: BERT-base self-attention with output projection, 4·(768² + 768) = 2,362,368 params', () => {
    const c = cost({ type: 'attention', heads: 12 }, [128, 768]);
    expect(c.params).toBe(2_362_368);
    expect(c.flops).toBe(bertAttentionFlops);
    expect(cost({ type: 'attention', heads: 12, seq: 128 }, [768]).flops).toBe(bertAttentionFlops);
  });

  it('transformer_block: one BERT-base encoder layer has 7,087,872 params (12 of them: 85,054,464)', () => {
    const c = cost({ type: 'transformer_block', heads: 12, dModel: 768, dFF: 3072, seq: 128 }, [128, 768]);
    expect(c.params).toBe(7_087_872);
    const ffn = 2 * 128 * 768 * 3072 + 128 * 3072 + 8 * 128 * 3072 + 2 * 128 * 3072 * 768 + 128 * 768;
    expect(c.flops).toBe(bertAttentionFlops + 2 * 5 * 128 * 768 + 2 * 128 * 768 + ffn);
    // Close to the usual 2·params·seq approximation plus attention's seq² terms.
    expect(c.flops / (2 * 7_087_872 * 128)).toBeCloseTo(1.03, 1);
  });

  it('repeat stacks a layer N times, shape flowing through', () => {
    const model = analyzeLayers([64], [{ type: 'dense', units: 64, repeat: 3 }] as BoundLayer[]);
    expect(model.params).toBe(3 * (64 * 64 + 64));
    expect(model.layers).toBe(3);
  });

  it('names the layer that cannot take its input', () => {
    expect(() => analyzeLayers([4, 4, 1], [{ type: 'conv2d', filters: 8, kernel: 5 }] as BoundLayer[])).toThrow(
      'model.layers.0.kernel: conv2d expected an input of at least 5 along each spatial axis; got 4',
    );
    expect(() => analyzeLayers([100], [{ type: 'conv2d', filters: 8, kernel: 3 }] as BoundLayer[])).toThrow(
      'model.layers.0: conv2d expected an input of rank 3',
    );
  });
});
