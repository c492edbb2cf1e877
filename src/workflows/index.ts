// The worker's workflow bundle entry point: every workflow type this project registers.
export { trainingPipeline, progressQuery } from './training-pipeline';
export { sweepPipeline, sweepProgressQuery } from './sweep-pipeline';
export { storeGc } from './store-gc';
