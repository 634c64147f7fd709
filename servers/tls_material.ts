/**
 * TLS material for HTTP/2 servers on loopback, made at run time: a CA and a leaf certificate for
 * 127.0.0.1 and localhost signed by it (rustls rejects a self-signed CA used directly as the server
 * certificate). ECDSA P-256 keys through WebCrypto, X.509 through @peculiar/x509. Kept in memory
 * only: nothing is written to disk, so nothing is left behind.
 *
 * @module
 */

import "reflect-metadata"; // @peculiar/x509's dependency injection needs it
import * as x509 from "@peculiar/x509";

/** A CA and a server certificate signed by it, PEM encoded. */
export interface TlsMaterial {
  /** The CA certificate: clients trust it (`Deno.createHttpClient({ caCerts })`). */
  caPem: string;
  /** The server certificate, for 127.0.0.1, ::1 and localhost. */
  certPem: string;
  /** The server's private key (PKCS#8). */
  keyPem: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Makes a CA and a server certificate valid for one day.
 *
 * @returns PEM strings.
 *
 * @example
 * ```ts
 * import { createTlsMaterial } from "./tls_material.ts";
 * import assert from "node:assert/strict";
 *
 * const tls = await createTlsMaterial();
 * assert.match(tls.certPem, /^-----BEGIN CERTIFICATE-----/);
 * ```
 */
export async function createTlsMaterial(): Promise<TlsMaterial> {
  x509.cryptoProvider.set(crypto);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3_600_000);
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=wedge test CA (made for one run)",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const leafKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=127.0.0.1",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
        { type: "dns", value: "localhost" },
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.BasicConstraintsExtension(false),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey);
  return {
    caPem: ca.toString("pem"),
    certPem: leaf.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}
