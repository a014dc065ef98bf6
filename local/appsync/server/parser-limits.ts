/**
 * How far a document may go before it is parsed: the parser limits of
 * graphql-java, the engine AppSync's GraphQL runs on (ParserOptions'
 * defaults, with their messages): at most 15,000 grammar tokens (names,
 * punctuation, values; not whitespace, commas or comments), and a bounded
 * nesting.
 *
 * Why offline needs them: graphql-js, which the local server parses and
 * validates with, recurses once per level of a selection set, a list or
 * object value, and a chain of fragments each spreading the next. Within the
 * 1 MB body, `{a{a{a…` 20,000 deep or 10,000 chained fragments overflow the
 * stack, and the request ends in a 500 instead of an answer. The tokens bound
 * the chain (a chained fragment is 8 tokens); the nesting bound the rest.
 *
 * graphql-java bounds nesting by ANTLR grammar rules (500), several of which
 * each level enters (about 160 levels of selection sets). Offline counts
 * brackets instead, `{`, `[` and `(`, at most `maxNestingDepth` deep, which is
 * never below graphql-java's, so no document AppSync parses is refused here.
 * Whether AppSync changes graphql-java's defaults is not documented.
 *
 * Not applied: graphql-java also counts whitespace tokens (commas, line ends,
 * comments) against a limit of its own; offline, only the 1 MB body bounds
 * them, so a document of a few hundred thousand commas is parsed here.
 *
 * One pass of the lexer, which does not recurse, before the parser runs.
 *
 * @example
 * const document = parseWithinLimits('{ images { items { id } } }');
 */
import { GraphQLError, Lexer, parse, Source, TokenKind, type DocumentNode, type Token } from 'graphql';

/** graphql-java's ParserOptions maxTokens default. */
export const maxDocumentTokens = 15_000;
/** Brackets nested at most this deep; graphql-java's 500 grammar rules stop a document sooner. */
export const maxNestingDepth = 500;

const opening = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const closing = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

const cancelled = (source: Source, token: Token, what: string) =>
  new GraphQLError(`Syntax Error: ${what} To prevent Denial Of Service attacks, parsing has been cancelled.`, { source, positions: [token.start] });

/**
 * Refuses a document past the limits with a syntax error (a GraphQLError, as
 * `parse` throws), the way graphql-java words it; lexical errors come out as
 * `parse` would report them.
 */
export function checkParserLimits(source: Source): void {
  const lexer = new Lexer(source);
  let tokens = 0;
  let depth = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    tokens += 1;
    if (tokens > maxDocumentTokens) throw cancelled(source, token, `More than ${maxDocumentTokens} 'grammar' tokens have been presented.`);
    if (opening.has(token.kind)) depth += 1;
    else if (closing.has(token.kind)) depth -= 1;
    if (depth > maxNestingDepth) throw cancelled(source, token, `More than ${maxNestingDepth} deep 'grammar' rules have been entered.`);
  }
}

/** `parse`, after checkParserLimits. */
export function parseWithinLimits(query: string): DocumentNode {
  const source = new Source(query);
  checkParserLimits(source);
  return parse(source);
}
