/** The fix of every contract statement shipped too early. */
export const expandContract =
    "ship it as a contract file (-- migrate-first: contract completes <expand-version>) in a release after the expand that made old code stop depending on it";
