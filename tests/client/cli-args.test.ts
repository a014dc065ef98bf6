/** The CLI's command line (client-example/cli/args.ts) and its one-line failures (failure.ts, outputs.ts), without a stack. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsNpmTook, parseCommandLine } from '../../client-example/cli/args.ts';
import { commandHelp, commandSpecs, type CommandName } from '../../client-example/cli/commands.ts';
import { SetupError, UsageError } from '../../client-example/cli/errors.ts';
import { describeFailure } from '../../client-example/cli/failure.ts';
import { readStackOutputs } from '../../client-example/cli/outputs.ts';

const noNpm = {};

describe('Function: parseCommandLine', () => {
  it('parses a command, its arguments and options', () => {
    expect(parseCommandLine(['search', 'Cat', '--min-confidence', '60', '--all'], noNpm)).toMatchObject({
      kind: 'run',
      command: 'search',
      args: ['Cat'],
      options: { 'min-confidence': '60', all: true },
    });
  });

  it.each([
    [['frobnicate'], /^unknown command frobnicate: see labelcast --help$/],
    [[], /^no command given: see labelcast --help$/],
    [['search', 'cat', '--frob'], /^unknown option --frob: see labelcast search --help$/],
    [['watch', '--all'], /^watch takes no --all: see labelcast watch --help$/],
    [['get'], /^get needs ID: see labelcast get --help$/],
    [['get', 'a', 'b'], /^get takes ID, got a b: see labelcast get --help$/],
  ])('refuses %j as bad usage, in one line that says what to do', (argv, message) => {
    const error = (() => {
      try {
        parseCommandLine(argv, noNpm);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toMatch(message);
  });

  it.each(Object.keys(commandSpecs))('has --help for %s, naming every option', (command) => {
    expect(parseCommandLine([command, '--help'], noNpm)).toEqual({ kind: 'help', command });
    expect(parseCommandLine(['help', command], noNpm)).toEqual({ kind: 'help', command });
    const help = commandHelp(command as CommandName);
    for (const option of Object.keys(commandSpecs[command as CommandName].options)) expect(help).toContain(`--${option}`);
  });
});

describe('Function: optionsNpmTook', () => {
  it('gives back the flags npm run cli took without --', () => {
    // Prepare: what npm sets for `npm run cli search Cat --json --all --limit=5`
    const env = { npm_lifecycle_event: 'cli', npm_config_json: 'true', npm_config_all: 'true', npm_config_limit: '5' };
    // Act, Assess
    expect(optionsNpmTook(env).sort()).toEqual(['--all', '--json', '--limit=5']);
    expect(parseCommandLine(['search', 'Cat'], env)).toMatchObject({ options: { json: true, all: true, limit: '5' } });
  });

  it('refuses an option whose value npm passed on as an argument', () => {
    const env = { npm_lifecycle_event: 'cli', npm_config_limit: 'true' };
    expect(() => optionsNpmTook(env)).toThrow(/npm took --limit .*npm run cli -- … \(with --\), or npx labelcast/);
  });

  it('reads nothing outside npm run cli (a user npmrc with json=true is not ours)', () => {
    expect(optionsNpmTook({ npm_lifecycle_event: 'npx', npm_config_json: 'true' })).toEqual([]);
  });
});

describe('Function: describeFailure', () => {
  /** What Amplify rejects with when fetch fails: `{ errors: [GraphQLError { originalError: NetworkError { underlyingError: TypeError { cause } } }] }`. */
  const amplifyNetworkError = (code: string) => ({
    data: {},
    errors: [
      Object.assign(new Error('A network error has occurred.'), {
        originalError: Object.assign(new Error('A network error has occurred.'), {
          name: 'NetworkError',
          underlyingError: new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }),
        }),
      }),
    ],
  });

  it('tells the local stack being down by its URL and asks for npm start', () => {
    expect(describeFailure(amplifyNetworkError('ECONNREFUSED'), 'https://127.0.0.1:4750/graphql')).toBe(
      'cannot reach https://127.0.0.1:4750/graphql: is `npm start` running?',
    );
  });

  it('says an untrusted certificate is one, and how to trust it', () => {
    expect(describeFailure(amplifyNetworkError('SELF_SIGNED_CERT_IN_CHAIN'), 'https://127.0.0.1:4750/graphql')).toMatch(
      /^cannot trust the certificate of https:\/\/127\.0\.0\.1:4750\/graphql \(SELF_SIGNED_CERT_IN_CHAIN\): .*NODE_EXTRA_CA_CERTS=\.labelcast\/tls\/ca\.pem$/,
    );
  });

  it('passes AppSync errors on as errorType: message', () => {
    expect(describeFailure({ errors: [{ errorType: 'NotFound', message: 'Image x not found' }] }, 'https://x/graphql')).toBe('NotFound: Image x not found');
  });
});

describe('Function: readStackOutputs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-outputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says to run npm start when the default amplify_outputs.json is missing (exit 1)', () => {
    const missing = path.join(dir, 'amplify_outputs.json');
    expect(() => readStackOutputs(undefined, { LABELCAST_OUTPUTS: missing })).toThrow(SetupError);
    expect(() => readStackOutputs(undefined, { LABELCAST_OUTPUTS: missing })).toThrow(/^no .*amplify_outputs\.json: run npm start/);
  });

  it('calls a missing --outputs FILE bad usage (exit 2)', () => {
    expect(() => readStackOutputs(path.join(dir, 'nope.json'))).toThrow(UsageError);
  });

  it('reads the GraphQL URL', () => {
    const file = path.join(dir, 'outputs.json');
    writeFileSync(file, JSON.stringify({ version: '1.3', data: { url: 'https://127.0.0.1:4750/graphql' } }));
    expect(readStackOutputs(file)).toEqual({ path: file, graphqlUrl: 'https://127.0.0.1:4750/graphql' });
  });
});
