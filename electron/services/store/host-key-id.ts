/**
 * The id of an accepted host key, derived from what it is (host, port, key type, key): two devices that accept the
 * same key make the same row, so accepting, forgetting and accepting again are last-writer-wins on that one row
 * once their records are merged, and a key forgotten on one device stays forgotten. Stored in every database and
 * computed on every device: the namespace and the encoding never change.
 */
import { v5 as uuidv5 } from 'uuid';

/** UUIDv5 namespace of Opsdeck's host-key ids (made once at random). */
const HOST_KEY_NAMESPACE = '025c1501-0264-461e-8cf3-e84c0541bbd9';

export function hostKeyId(host: string, port: number, keyType: string, key: string): string {
  // A JSON array: no host, type or key can run into its neighbour.
  return uuidv5(JSON.stringify([host, port, keyType, key]), HOST_KEY_NAMESPACE);
}
