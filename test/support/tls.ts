import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A throwaway self-signed certificate (one day) for `subjectAltName`, made with openssl. `certFile` is its path, for NODE_EXTRA_CA_CERTS. */
export const selfSignedCertificate = (commonName: string, subjectAltName: string): { key: string; cert: string; certFile: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'idstitch-tls-'))
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${commonName}`,
    '-addext', `subjectAltName=${subjectAltName}`,
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' })
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), certFile: join(dir, 'cert.pem') }
}
