export {
  DEFAULT_PLAN_THRESHOLDS,
  TRACKS,
  decideColumn,
  formatPlan,
  inferFeaturePlan,
  summarizePlan,
  type FeaturePlan,
  type GivenFeatures,
  type PlanDecision,
  type PlanThresholds,
  type Track,
  type Use,
} from './infer-plan';
