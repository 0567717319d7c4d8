import * as hdr from "hdr-histogram-js";

/** Call latencies in µs, up to 60 s, 3 significant digits: what the load workers record and the run merges. */
export const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
