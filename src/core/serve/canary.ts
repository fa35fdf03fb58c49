import { plainNumber } from '../numberText.js';

/** Buckets a routing key falls into: a canary percentage has two decimals of resolution. */
export const ROUTING_BUCKETS = 10_000;

/** The header a client sends to keep its requests on one model (a user or session id). */
export const ROUTING_KEY_HEADER = 'x-modelship-routing-key';

/**
 * The key's bucket, 0 to 9,999: FNV-1a (32-bit) over the key's UTF-8 bytes, modulo 10,000. The
 * same key always lands in the same bucket, in every process and every replica.
 */
export function routingBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % ROUTING_BUCKETS;
}

/** Whether a request with this key goes to the canary, which takes `percent` of the buckets. */
export function routesToCanary(key: string, percent: number): boolean {
  return routingBucket(key) < Math.round(percent * (ROUTING_BUCKETS / 100));
}

/**
 * A canary percentage as written (--canary-percent, MODELSHIP_CANARY_PERCENT): a decimal number
 * from 0 to 100, else undefined. Number() alone took '' as 0 and 0x10 as 16.
 */
export function parseCanaryPercent(text: string | undefined): number | undefined {
  const percent = plainNumber(text);
  return percent <= 100 ? percent : undefined;
}
