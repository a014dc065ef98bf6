/**
 * Argument checks shared by the resolvers: a malformed argument ends the field
 * with `BadRequestException`, a message that names the argument and
 * `errorInfo.field`, before any data source runs. Bundled into APPSYNC_JS
 * resolvers, so it keeps to that runtime: no regex, no throw, no
 * charCodeAt; characters are compared as strings.
 *
 * @example
 * const id = checkedImageId(ctx.args.id, 'id');
 */
import { util } from '@aws-appsync/utils';
import { PageLimits } from '../../api/limits.ts';

export const ArgumentLimits = {
  /**
   * Longest image id accepted. util.autoId() ids are 36 characters; the bound
   * keeps every key far under DynamoDB's 2048-byte partition-key limit and
   * every Lambda payload small.
   */
  maxIdLength: 128,
  /** Longest nextToken accepted; the tokens AppSync issues for this table are a few hundred characters. */
  maxNextTokenLength: 4096,
} as const;

/** What a client is told about a nextToken that this query did not return. */
export const invalidNextTokenMessage = 'nextToken is not a token this query returned';

/** Ends the field with a BadRequestException naming `field`. */
export function badRequest(message: string, field: string): never {
  return util.error(message, 'BadRequestException', null, { field });
}

/** Characters no displayed name needs: controls, line breaks, bidirectional controls, invisibles, tags. */
function isUnprintable(char: string): boolean {
  return (
    char < ' ' || // C0 controls, \t \n \r included
    (char >= '\u007f' && char <= '\u009f') || // DEL and the C1 controls
    char === '\u061c' || // Arabic letter mark (bidi)
    char === '\u200b' || // zero width space
    char === '\u200e' || // left-to-right mark
    char === '\u200f' || // right-to-left mark
    (char >= '\u2028' && char <= '\u202e') || // line and paragraph separators; LRE RLE PDF LRO RLO
    (char >= '\u2060' && char <= '\u2064') || // word joiner, invisible operators
    (char >= '\u2066' && char <= '\u2069') || // LRI RLI FSI PDI
    char === '\ufeff' || // byte order mark
    (char >= '\ufff9' && char <= '\ufffb') || // interlinear annotation controls
    char === '\ufffe' ||
    char === '\uffff' || // noncharacters
    (char >= '\udb40\udc00' && char <= '\udb40\udc7f') // U+E0000–U+E007F tag characters (invisible text), as surrogate pairs
  );
}

const isHighSurrogate = (char: string) => char.length === 1 && char >= '\ud800' && char <= '\udbff';
const isLowSurrogate = (char: string) => char.length === 1 && char >= '\udc00' && char <= '\udfff';

/**
 * True when every character of `text` is printable and no surrogate is
 * unpaired. A high surrogate is joined with the low one after it, so the
 * answer is the same whether the runtime's for-of yields code points or
 * UTF-16 code units.
 */
export function isPrintableText(text: string): boolean {
  let highSurrogate = '';
  for (const char of text) {
    if (highSurrogate !== '') {
      if (!isLowSurrogate(char) || isUnprintable(highSurrogate + char)) return false;
      highSurrogate = '';
    } else if (isHighSurrogate(char)) {
      highSurrogate = char;
    } else if (isLowSurrogate(char) || isUnprintable(char)) {
      return false;
    }
  }
  return highSurrogate === '';
}

function isIdCharacter(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9') || char === '-' || char === '_';
}

/**
 * An image id as util.autoId() makes them (letters, digits, `-`; `_` too), at
 * most {@link ArgumentLimits.maxIdLength} characters; anything else cannot
 * name an image, so it is refused rather than looked up.
 */
export function checkedImageId(id: string, field: string): string {
  const message = `${field} must be an image id: 1 to ${ArgumentLimits.maxIdLength} letters, digits, '-' or '_'`;
  if (id.length === 0 || id.length > ArgumentLimits.maxIdLength) badRequest(message, field);
  for (const char of id) {
    if (!isIdCharacter(char)) badRequest(message, field);
  }
  return id;
}

/** A label name or prefix: trimmed, printable, within the label length limit. */
export function checkedLabelText(text: string, field: string, minLength: number): string {
  const trimmed = text.trim();
  if (trimmed.length < minLength || trimmed.length > PageLimits.maxLabelLength) {
    const range = minLength > 0 ? `${minLength} to ${PageLimits.maxLabelLength}` : `at most ${PageLimits.maxLabelLength}`;
    badRequest(`${field} must be ${range} characters`, field);
  }
  if (!isPrintableText(trimmed)) badRequest(`${field} must contain only printable characters`, field);
  return trimmed;
}

/** A page size: null means the default. */
export function checkedLimit(limit: number | null | undefined): number {
  const value = limit ?? PageLimits.defaultLimit;
  if (value < 1 || value > PageLimits.maxLimit) badRequest(`limit must be between 1 and ${PageLimits.maxLimit}`, 'limit');
  return value;
}

/**
 * A nextToken a previous page returned, or null for the first page. Only its
 * size is checked here: whether the data source issued it for this query is
 * checked by the data source (see failOnPageError).
 */
export function checkedNextToken(nextToken: string | null | undefined): string | null {
  if (nextToken === null || nextToken === undefined || nextToken === '') return null;
  if (nextToken.length > ArgumentLimits.maxNextTokenLength || !isPrintableText(nextToken)) {
    badRequest(invalidNextTokenMessage, 'nextToken');
  }
  return nextToken;
}
