export { MlpClassifier, type ClassifierOptions } from './mlp-classifier.js';
