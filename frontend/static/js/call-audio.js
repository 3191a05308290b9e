// Hook for the customer's voice in call scenarios (issue 11 plays it). The desk calls
// onCustomerLine for every customer line of a call, live or replayed after a reload; an audio
// implementation replaces the body and may use `seq` to avoid replaying old lines.

let muted = false;
let lastSpokenSeq = 0;

/** @param {string} text  @param {number} seq  @param {{replay: boolean}} [options] */
export function onCustomerLine(text, seq, options = { replay: false }) {
  if (options.replay || seq <= lastSpokenSeq) return;
  lastSpokenSeq = seq;
  // No audio yet: the transcript shows the line. Kept as the single place audio plugs in.
  void text;
}

/** The operator's microphone state, for when the operator's voice is captured. */
export function setMuted(value) {
  muted = Boolean(value);
  return muted;
}
