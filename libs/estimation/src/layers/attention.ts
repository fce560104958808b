import type { BoundLayer } from '../spec/layer.schema';
import { ShapeError, type LayerCost, type Shape } from './layer.types';

type Attention = Extract<BoundLayer, { type: 'attention' }>;
type TransformerBlock = Extract<BoundLayer, { type: 'transformer_block' }>;

/** Sequence length and model width of a [seq, d] input, or of a [d] input with `seq` given. */
function sequence(input: Shape, seq: number | undefined): [number, number] {
  if (input.length === 2) {
    if (seq !== undefined && seq !== input[0])
      throw new ShapeError(`expected seq to match the input's ${input[0]} steps; got ${seq}`, 'seq');
    return [input[0], input[1]];
  }
  if (input.length === 1 && seq !== undefined) return [seq, input[0]];
  throw new ShapeError(`expected an input of shape [seq, dModel] (or [dModel] with seq given); got [${input.join(', ')}]`);
}

interface Mha {
  params: number;
  flops: number;
}

/**
 * Multi-head self-attention as Keras MultiHeadAttention: Q, K, V projections d → h·k and an output
 * projection h·k → d, all with bias. FLOPs: projections 2·seq·d·hk each (×4) and their biases,
 * scores QKᵀ 2·seq²·hk, scaling 1 and softmax 3 per score, weighted sum 2·seq²·hk.
 */
function multiHeadAttention(seq: number, d: number, heads: number, keyDim: number): Mha {
  const hk = heads * keyDim;
  const scores = heads * seq * seq;
  return {
    params: 3 * (d * hk + hk) + (hk * d + d),
    flops: 4 * 2 * seq * d * hk + (3 * seq * hk + seq * d) + 2 * seq * seq * hk + scores + 3 * scores + 2 * seq * seq * hk,
  };
}

export function attentionCost(layer: Attention, input: Shape): LayerCost {
  const [seq, d] = sequence(input, layer.seq);
  if (layer.keyDim === undefined && d % layer.heads !== 0) {
    throw new ShapeError(`expected heads to divide the model width ${d}; got ${layer.heads}`, 'heads');
  }
  const mha = multiHeadAttention(seq, d, layer.heads, layer.keyDim ?? d / layer.heads);
  return { ...mha, activations: 2 * seq * d + layer.heads * seq * seq, outputShape: [seq, d] };
}

/**
 * A post-norm encoder block (Vaswani et al. 2017; BERT): attention, add & layer norm,
 * feed-forward d → dFF (GELU) → d, add & layer norm.
 */
export function transformerBlockCost(layer: TransformerBlock, input: Shape): LayerCost {
  const [seq, d] = sequence(input, layer.seq);
  if (d !== layer.dModel) throw new ShapeError(`expected dModel to match the input width ${d}; got ${layer.dModel}`, 'dModel');
  if (d % layer.heads !== 0) throw new ShapeError(`expected heads to divide dModel ${d}; got ${layer.heads}`, 'heads');
  const f = layer.dFF;
  const mha = multiHeadAttention(seq, d, layer.heads, d / layer.heads);
  const norms = { params: 2 * 2 * d, flops: 2 * 5 * seq * d };
  const residuals = 2 * seq * d;
  const ffn = { params: d * f + f + f * d + d, flops: 2 * seq * d * f + seq * f + 8 * seq * f + 2 * seq * f * d + seq * d };
  return {
    params: mha.params + norms.params + ffn.params,
    flops: mha.flops + norms.flops + residuals + ffn.flops,
    activations: 8 * seq * d + layer.heads * seq * seq + 2 * seq * f,
    outputShape: [seq, d],
  };
}
