// Passkeys in the browser's own words (WebAuthn, issue 15): asking one, and its answer as the
// server reads it. The sign-in and account pages use them (static/passkeys.js), and so does the
// private space, to open the vault with a passkey's PRF output (static/screens/unlocks.js).

import { fromBase64url, toBase64url } from "shared/http";

export function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials);
}

/** The server's options for navigator.credentials, with their byte strings as bytes. */
export function publicKeyOf(options) {
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));
  const publicKey = { ...options, challenge: fromBase64url(options.challenge) };
  if (options.user) publicKey.user = { ...options.user, id: fromBase64url(options.user.id) };
  if (options.allowCredentials) publicKey.allowCredentials = withIds(options.allowCredentials);
  if (options.excludeCredentials)
    publicKey.excludeCredentials = withIds(options.excludeCredentials);
  return publicKey;
}

/** Asks a passkey for its PRF output with `salt`: {credential, credentialId, prf} or prf null. */
export async function askPasskey(options, salt) {
  const publicKey = {
    ...publicKeyOf(options),
    extensions: salt ? { prf: { eval: { first: salt } } } : {},
  };
  const credential = await navigator.credentials.get({ publicKey });
  const prf = credential.getClientExtensionResults().prf?.results?.first;
  return { credential, credentialId: credential.id, prf: prf ? new Uint8Array(prf) : null };
}

/** The passkey's answer as the server reads it: the signed parts only, never the PRF output. */
export function answerOf(credential) {
  const response = {};
  for (const part of [
    "clientDataJSON",
    "attestationObject",
    "authenticatorData",
    "signature",
    "userHandle",
  ]) {
    if (credential.response[part]) response[part] = toBase64url(credential.response[part]);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
  };
}
