export { CONTRACT_FORMAT } from './types';
export type { ContractColumn, ContractRole, ContractType, DataContract, GivenRules } from './types';
export { inferColumn, inferContract } from './infer';
export { DEFAULT_CONTRACT_TOLERANCES, allowedRange, checkContract, summarizeContract } from './check';
export type { ContractResult, ContractTolerances } from './check';
