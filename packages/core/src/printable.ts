/**
 * Characters a terminal acts on rather than shows: C0 and C1 controls (the newline too: in a log line it
 * would start a forged one), and the marks that reorder text (bidirectional overrides).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * `text` with each such character shown as its escape (`\u001b`): for words a provider or a browser chose,
 * on their way into an error's message or a log line.
 */
export const printable = (text: string): string => text.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
