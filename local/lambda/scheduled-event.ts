/**
 * The event EventBridge sends a Lambda target when a schedule rule fires:
 * `time` is the scheduled time, to the second, in UTC.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { localAccountId } from '../appsync/server/auth.ts';

export function scheduledEvent(args: { readonly time: Date; readonly region: string; readonly ruleName: string }): ScheduledEvent<Record<string, never>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: localAccountId,
    time: args.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: args.region,
    resources: [`arn:aws:events:${args.region}:${localAccountId}:rule/${args.ruleName}`],
    detail: {},
  };
}
