// Parts of an EvoLM generation-example row shared by the demo and benchmark generators.

/** The rrd_* fields of a row that used no recursive rubric decomposition, in file order. */
export const NO_RRD = {
  rrd_weighting_method: null,
  rrd_iterations: null,
  rrd_rejected_count: null,
  rrd_rubric_items: null,
  rrd_weights: null,
  rrd_binary_scores: null,
  rrd_trace: null,
} as const
