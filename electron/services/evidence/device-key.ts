/**
 * This device's evidence signing key: Ed25519, made on first use and kept in the data directory as
 * `evidence-key.pem` (PKCS#8, mode 0600). It never leaves the device (merge-classes.ts localFiles): a bundle names
 * the public half, and a reviewer compares its fingerprint with the one the device shows.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceKey } from '../../../shared/contract/evidence.js';

export const DEVICE_KEY_FILE = 'evidence-key.pem';

export interface DeviceKey {
  publicKey: EvidenceKey;
  /** An Ed25519 signature of `data`, base64. */
  sign(data: string): string;
}

/** The key in `dataDir`, made (and written with mode 0600) when there is none yet. */
export function loadOrCreateDeviceKey(dataDir: string): DeviceKey {
  const file = join(dataDir, DEVICE_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    pem = writeNewKey(file);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    // Never replaced silently: a new key would make this device someone else to every reviewer.
    throw new Error(`${file} is not a private key: move it away to make a new one (bundles it signed then no longer match this device)`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  const publicKey = describePublicKey(createPublicKey(privateKey));
  return { publicKey, sign: (data) => sign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64') };
}

export function describePublicKey(key: KeyObject): EvidenceKey {
  const der = key.export({ type: 'spki', format: 'der' });
  return { algorithm: 'Ed25519', publicKey: String(key.export({ type: 'spki', format: 'pem' })), fingerprint: fingerprintOf(der) };
}

export function fingerprintOf(spkiDer: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(spkiDer).digest('base64').replace(/=+$/, '')}`;
}

/** Whether `signature` (base64) is the Ed25519 signature of `data` by the key in `publicKeyPem`. */
export function verifySignature(publicKeyPem: string, data: string, signature: string): boolean {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, Buffer.from(data, 'utf8'), key, Buffer.from(signature, 'base64'));
}

/**
 * Writes a new key beside the file, synced, then links it into place: a crash leaves either no key or a whole one,
 * never half a PEM (only the owner of the data directory gets here, so no other process races it).
 */
function writeNewKey(file: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
    throw error;
  } finally {
    unlinkSync(tmp);
  }
  return pem;
}
