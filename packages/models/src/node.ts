// The `@peftjs/models/node` entry: what reads or writes files (Node only): Hugging Face checkpoint
// directories, their tokenizer and chat template, data files, the bundled checkpoints and the image
// datasets. The models, tokenizers and parsers these return, and everything else, are in `@peftjs/models`.
export { loadPretrained, savePretrained } from './pretrained';
export type { LoadPretrainedOptions, SavePretrainedOptions, ModelClass } from './pretrained';
export { bundledCheckpoint, BUNDLED_CHECKPOINTS } from './bundled-checkpoint';
export type { BundledCheckpointName } from './bundled-checkpoint';
export { loadTokenizer } from './load-tokenizer';
export { loadChatTemplate } from './load-chat-template';
export { readDataset } from './read-dataset';
export { loadMnist, loadFashionMnist, FASHION_MNIST_DIR } from './image-datasets';
export type { ImageDataset, ImageDatasetOptions } from './image-datasets';
