/** What was thrown (or rejected with), as text: an `Error`'s message, anything else as a string. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
