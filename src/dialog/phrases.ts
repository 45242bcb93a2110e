// Small closed word lists the dialog understands on its own, whatever the grammar says:
// yes / no answers to a confirmation, and cancel phrases ("never mind", "stop").

export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const YES = new Set([
  "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "affirmative", "do it", "go ahead",
  "yes please", "yes do it", "please do", "confirm", "confirmed", "absolutely", "of course", "that's right",
]);
const NO = new Set([
  "no", "nope", "nah", "don't", "do not", "no thanks", "no thank you", "negative", "not now", "no don't", "wait no",
]);
const CANCEL = new Set([
  "never mind", "nevermind", "cancel", "cancel that", "stop", "forget it", "forget about it", "abort",
  "stop it", "that's all", "nothing", "shut up", "be quiet", "quiet",
]);
const FILLERS = /^(?:(?:oh|uh|um|hey|ok|okay|please|hark)\s+)*|(?:\s+(?:please|thanks|thank you))+$/g;

function core(text: string): string {
  return normalize(text).replace(FILLERS, "").trim();
}

export function isYes(text: string): boolean {
  const t = normalize(text);
  return YES.has(t) || YES.has(core(text));
}

export function isNo(text: string): boolean {
  const t = normalize(text);
  return NO.has(t) || NO.has(core(text));
}

export function isCancel(text: string): boolean {
  const t = normalize(text);
  return CANCEL.has(t) || CANCEL.has(core(text));
}
