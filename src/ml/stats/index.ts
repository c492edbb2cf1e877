export { ks2samp } from './ks-2samp';
export type { KsResult, KsMethod, NanPolicy } from './ks-2samp';
export { kolmogornSf, smirnovSf } from './kolmogorov';
