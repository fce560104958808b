import { SpecError } from '../problems';
import type { BoundLayer } from '../spec/layer.schema';
import { attentionCost, transformerBlockCost } from './attention';
import { conv1dCost, conv2dCost, depthwiseConv2dCost, separableConv2dCost } from './conv';
import { denseCost } from './dense';
import { embeddingCost } from './embedding';
import { ShapeError, type LayerCost, type Shape } from './layer.types';
import { batchNormCost, layerNormCost } from './normalization';
import { globalAvgPool2dCost, pool2dCost } from './pooling';
import { gruCost, lstmCost } from './recurrent';
import { dropoutCost, flattenCost } from './reshape';

export function layerCost(layer: BoundLayer, input: Shape): LayerCost {
  switch (layer.type) {
    case 'dense':
      return denseCost(layer, input);
    case 'conv1d':
      return conv1dCost(layer, input);
    case 'conv2d':
      return conv2dCost(layer, input);
    case 'depthwiseconv2d':
      return depthwiseConv2dCost(layer, input);
    case 'separableconv2d':
      return separableConv2dCost(layer, input);
    case 'maxpool2d':
    case 'avgpool2d':
      return pool2dCost(layer, input);
    case 'globalavgpool2d':
      return globalAvgPool2dCost(input);
    case 'flatten':
      return flattenCost(input);
    case 'dropout':
      return dropoutCost(input);
    case 'batchnorm':
      return batchNormCost(input);
    case 'layernorm':
      return layerNormCost(input);
    case 'embedding':
      return embeddingCost(layer, input);
    case 'lstm':
      return lstmCost(layer, input);
    case 'gru':
      return gruCost(layer, input);
    case 'attention':
      return attentionCost(layer, input);
    case 'transformer_block':
      return transformerBlockCost(layer, input);
  }
}

/** The whole network for one sample, forward. */
export interface ModelCost {
  params: number;
  flops: number;
  activations: number;
  /** Layers after `repeat` is expanded: each carries a fixed cost per batch. */
  layers: number;
  outputShape: Shape;
}

/** Runs the sample shape through the layers; a layer that cannot take its input is reported with its path. */
export function analyzeLayers(input: Shape, layers: readonly BoundLayer[]): ModelCost {
  const total: ModelCost = { params: 0, flops: 0, activations: 0, layers: 0, outputShape: input };
  layers.forEach((layer, index) => {
    const times = layer.repeat ?? 1;
    for (let r = 0; r < times; r++) {
      let cost: LayerCost;
      try {
        cost = layerCost(layer, total.outputShape);
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        const path = `model.layers.${index}${error.field ? `.${error.field}` : ''}`;
        throw new SpecError([{ path, message: `${layer.type} ${error.message}` }]);
      }
      total.params += cost.params;
      total.flops += cost.flops;
      total.activations += cost.activations;
      total.layers += 1;
      total.outputShape = cost.outputShape;
    }
  });
  return total;
}
