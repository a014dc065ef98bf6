/**
 * AWS list prices, us-east-1, as published on the services' pricing pages
 * and checked on 2026-11-29 (DynamoDB on-demand after its November 2024
 * reduction). Standard tiers, no free tier, x86 Lambda.
 */
export const pricesDate = '2026-11-29';

export const UsEast1Prices = {
  /** Amazon Rekognition Image, Group 2 APIs (DetectLabels, DetectModerationLabels), first 1M images a month, per call. */
  rekognitionPerImageCall: 0.001,
  /** DynamoDB on-demand, Standard table class. */
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  dynamoDbPerGbMonth: 0.25,
  /** S3 Standard: PUT, COPY, POST, LIST per 1,000; GET, HEAD and others per 1,000; DELETE free. */
  s3PerThousandPutOrList: 0.005,
  s3PerThousandGetOrHead: 0.0004,
  /** AWS AppSync: query and mutation operations; realtime updates (messages delivered). */
  appSyncPerMillionRequests: 4.0,
  appSyncPerMillionRealtimeMessages: 2.0,
  /** AWS Lambda, x86: per GB-second and per request. */
  lambdaPerGbSecond: 0.0000166667,
  lambdaPerMillionRequests: 0.2,
  /**
   * AWS WAF (the API's rate limit, infra/api-rate-limit.ts): per web ACL and per rule a month, prorated hourly, and
   * per million requests the web ACL inspects (every request to the API, blocked ones too; WebSocket messages are
   * not requests). The same in every region; checked 2026-12-01.
   */
  wafPerWebAclMonth: 5.0,
  wafPerRuleMonth: 1.0,
  wafPerMillionRequests: 0.6,
} as const;

/** What the web ACL costs a month whatever the traffic: one web ACL with one rule. */
export const wafFixedPerMonth = UsEast1Prices.wafPerWebAclMonth + UsEast1Prices.wafPerRuleMonth;
