// The ModelBlessing the Evaluator writes, as TFX does: an empty marker file and a `blessed` 1/0
// custom property (what Resolver's latestBlessedModel() and a Pusher read).

/** The marker file of a blessed model. */
export const BLESSED_FILE = 'BLESSED'
/** The marker file of a model that is not blessed. */
export const NOT_BLESSED_FILE = 'NOT_BLESSED'
/** The blessing's `reason` when the EvalConfig has no threshold at all. */
export const NO_THRESHOLDS_REASON = 'no thresholds configured: nothing to bless the model on'
