/**
 * Saving and loading of the text models built from a feature vectorizer and a sparse network
 * (intent classifier, sentiment): the readable parts go to JSON, the weights to the binary file.
 */
import { Vectorizer } from '../text/features';
import { netArrays, netFromArrays, type NetWeights } from './sparseNet';
import { loadModelFiles, saveModelFiles } from './store';

export interface NetTextModel {
  kind: string;
  version: number;
  vectorizer: Vectorizer;
  net: NetWeights;
}

type NetTextModelJson<M extends NetTextModel> = Omit<M, 'vectorizer' | 'net'> & {
  vectorizer: Vectorizer['json'];
  netShape: NetWeights['shape'];
};

export function saveNetTextModel<M extends NetTextModel>(model: M, dir: string, name: string): void {
  const { vectorizer, net, ...rest } = model;
  saveModelFiles(dir, name, { ...rest, vectorizer: vectorizer.json, netShape: net.shape }, netArrays(net));
}

/** Loads a model saved by saveNetTextModel, refusing files of another kind or version. */
export function loadNetTextModel<M extends NetTextModel>(
  dir: string,
  name: string,
  kind: string,
  version: number,
): M {
  const { meta, arrays } = loadModelFiles<NetTextModelJson<M>>(dir, name);
  if (meta.kind !== kind || meta.version !== version) {
    throw new Error(`${dir}/${name}.json is not a version ${version} ${kind} model`);
  }
  const { vectorizer, netShape, ...rest } = meta;
  return {
    ...rest,
    vectorizer: new Vectorizer(vectorizer),
    net: netFromArrays(netShape, arrays),
  } as unknown as M;
}
