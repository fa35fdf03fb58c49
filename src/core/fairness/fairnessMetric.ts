import type { FAIRNESS_METRICS } from '../config/modelshipConfig.js';

/** A fairness disparity the gate can read. */
export type FairnessMetric = (typeof FAIRNESS_METRICS)[number];
