/**
 * What the local DynamoDB remembers of ClientRequestTokens
 * (local/dynamodb/transactions.ts): each for 10 minutes, as DynamoDB does,
 * but never more than a fixed number of them, so a caller sending a new
 * token with every transaction cannot grow the process's memory.
 */
import { describe, expect, it } from 'vitest';
import { jsonResponse } from '../../local/dynamodb/errors.ts';
import type { InnerCall } from '../../local/dynamodb/inner-calls.ts';
import { TableSchemas } from '../../local/dynamodb/table-schemas.ts';
import { Transactions } from '../../local/dynamodb/transactions.ts';

/** dynalite as a transaction sees it: one table keyed by pk, every item missing, every write accepted. */
const store: InnerCall = async (operation) => {
  const output = operation === 'DescribeTable' ? { Table: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } } : {};
  return { ok: true, response: jsonResponse(200, output), output };
};

const put = (id: string, token: string) => ({ TransactItems: [{ Put: { TableName: 'images', Item: { pk: { S: id } } } }], ClientRequestToken: token });
const exceptionOf = (body: string) => (JSON.parse(body) as { __type?: string }).__type?.split('#')[1];

describe('Class: Transactions', () => {
  describe('Method: write (ClientRequestToken)', () => {
    it('remembers at most its capacity of tokens, forgetting the oldest first', async () => {
      // Prepare
      const transactions = new Transactions(new TableSchemas(), () => 0, 3);

      // Act: five transactions, each with a token of its own
      for (let index = 0; index < 5; index += 1) await transactions.write(store, put(`i${index}`, `token-${index}`));
      const oldest = await transactions.write(store, put('other', 'token-0'));
      const newest = await transactions.write(store, put('other', 'token-4'));

      // Assess: token-0 was forgotten (a new transaction), token-4 still known (a different payload is refused)
      expect(transactions.rememberedTokens).toBe(3);
      expect(oldest.response.statusCode).toBe(200);
      expect(exceptionOf(newest.response.body)).toBe('IdempotentParameterMismatchException');
    });

    it('forgets every token 10 minutes after its transaction', async () => {
      // Prepare
      let now = 0;
      const transactions = new Transactions(new TableSchemas(), () => now);
      for (let index = 0; index < 100; index += 1) await transactions.write(store, put(`i${index}`, `token-${index}`));

      // Act
      now = 10 * 60 * 1000 + 1;
      const again = await transactions.write(store, put('other', 'token-0'));

      // Assess: the earlier 100 are gone; the one just written is remembered
      expect(again.response.statusCode).toBe(200);
      expect(transactions.rememberedTokens).toBe(1);
    });
  });
});
