/**
 * Everything the CLI prints goes through here, because much of it is the
 * server's text (label and file names, error messages, a FAILED image's
 * error) and a terminal acts on some characters instead of showing them:
 * ESC and the 8-bit CSI start escape sequences (move the cursor, rewrite
 * earlier lines, set the window title, OSC 52 writes the clipboard), a
 * carriage return overwrites the line, bidirectional controls reorder what
 * is read. A server, or another user whose file name the server passes on,
 * must not be able to do that in the user's terminal.
 *
 * So those characters are printed as `\uXXXX`, the JSON escape: in --json
 * output, where they can only stand inside strings, the line still parses to
 * the same value; in text they show as what they are. Tab and newline stay.
 *
 * @example
 * terminalSafe('Cat\u001b]0;pwned\u0007') // 'Cat\\u001b]0;pwned\\u0007'
 */
import { format } from 'node:util';

/**
 * C0 controls but tab and newline, DEL, C1 controls (U+009B is CSI), and
 * the bidirectional marks, embeddings, overrides and isolates.
 */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const unsafeCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character a terminal would act on written as its `\uXXXX` escape. */
export const terminalSafe = (text: string): string =>
  text.replace(unsafeCharacters, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One string as it is (a `%` in a server's text is no format directive); anything else as console.log formats it. */
const textOf = (values: readonly unknown[]): string => (values.length === 1 && typeof values[0] === 'string' ? values[0] : format(...values));

/** console.log, made terminal-safe. */
export const printLine = (...values: unknown[]): void => console.log('%s', terminalSafe(textOf(values)));

/** console.error, made terminal-safe. */
export const printError = (...values: unknown[]): void => console.error('%s', terminalSafe(textOf(values)));
