export { dataParallelModule } from './data-parallel-module.js';
export { DataParallelStrategy, checkDataParallel, chooseStrategy } from './data-parallel-strategy.js';
export type { WorkerSetup } from './protocol.js';
