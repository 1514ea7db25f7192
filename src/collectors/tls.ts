/**
 * The one TLS options type of the project's outbound clients (Docker engines over `tcp://`, the
 * Mesos/Jenkins HTTP client), and the one reader of its PEM files.
 */
import { readFileSync } from 'node:fs';
import { RightsizeError } from '../errors/index.js';

/** TLS settings of an https/`tcp://`-with-TLS endpoint (file paths are read once, at construction). */
export interface TlsOptions {
  /** PEM CA bundle that signed the server certificate. */
  readonly caFile?: string;
  /** PEM client certificate (mutual TLS, e.g. the Docker daemon's `--tlsverify`). */
  readonly certFile?: string;
  /** PEM client key (mutual TLS). */
  readonly keyFile?: string;
  /** Verify the server certificate. @defaultValue true */
  readonly rejectUnauthorized?: boolean;
}

/** What an https agent takes: the file contents, read. */
export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

/** True when any PEM file is named (for Docker, `tcp://` then means https). */
export function hasTlsFiles(tls: TlsOptions | undefined): boolean {
  return tls !== undefined && (tls.caFile !== undefined || tls.certFile !== undefined || tls.keyFile !== undefined);
}

/**
 * Reads the PEM files of `tls`. `section` names the config key in the error (`docker.tls`).
 *
 * @throws RightsizeError `RS_ERR_CONFIG_READ` naming the key and the file when one cannot be read.
 */
export function readTlsMaterial(tls: TlsOptions | undefined, section: string): TlsMaterial {
  const read = (file: string | undefined, key: string): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new RightsizeError('RS_ERR_CONFIG_READ', `${section}.${key}: cannot read ${file}`, { meta: { file }, cause });
    }
  };
  const ca = read(tls?.caFile, 'caFile');
  const cert = read(tls?.certFile, 'certFile');
  const key = read(tls?.keyFile, 'keyFile');
  return {
    ...(ca !== undefined && { ca }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
    rejectUnauthorized: tls?.rejectUnauthorized ?? true,
  };
}
