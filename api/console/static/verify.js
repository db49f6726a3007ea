// Verifies a search certificate in the browser: Ed25519 (WebCrypto) over
// "ipledge-search/v1\n" + RFC 8785 canonical JSON of the answer without certificate.signature,
// with the key from /v1/audit/public-key. Nothing here trusts the page that served it.
const PREFIX = "ipledge-search/v1\n";

// RFC 8785 (JCS): keys sorted by UTF-16 code units, ECMAScript number and string forms.
export function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function verifyCertificate(answer, publicKeyBase64) {
  const { signature, ...unsignedCertificate } = answer.certificate;
  const message = PREFIX + canonical({ ...answer, certificate: unsignedCertificate });
  const key = await crypto.subtle.importKey(
    "raw", fromBase64(publicKeyBase64), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify(
    { name: "Ed25519" }, key, fromBase64(signature), new TextEncoder().encode(message));
}

// A checkpoint (contract §8): "ipledge-checkpoint/v1\n{tree_size}\n{root_hash}\n{timestamp}\n".
export async function verifyCheckpoint(checkpoint, publicKeyBase64) {
  const c = checkpoint;
  const message = `ipledge-checkpoint/v1\n${c.tree_size}\n${c.root_hash}\n${c.timestamp}\n`;
  const key = await crypto.subtle.importKey(
    "raw", fromBase64(publicKeyBase64), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify(
    { name: "Ed25519" }, key, fromBase64(c.signature), new TextEncoder().encode(message));
}

async function verdictFor(doc, key) {
  const certificate = doc.getElementById("certificate-json");
  if (certificate) {
    const answer = JSON.parse(certificate.textContent);
    return key.key_id === answer.certificate.key_id &&
      await verifyCertificate(answer, key.public_key);
  }
  const checkpoint = JSON.parse(doc.getElementById("checkpoint-json").textContent);
  return key.key_id === checkpoint.key_id && await verifyCheckpoint(checkpoint, key.public_key);
}

export async function showVerification(doc = document) {
  const status = doc.getElementById("verification");
  if (!status) return;
  status.textContent = status.dataset.pending;
  let verdict;
  try {
    const response = await fetch("/v1/audit/public-key", { credentials: "omit" });
    const key = await response.json();
    verdict = (await verdictFor(doc, key)) ? "verified" : "failed";
  } catch (error) {
    verdict = error && error.name === "NotSupportedError" ? "unsupported" : "failed";
  }
  status.textContent = status.dataset[verdict];
  status.className = verdict === "verified" ? "verdict ok" : "verdict bad";
  status.dataset.result = verdict;
}

document.getElementById("print")?.addEventListener("click", () => window.print());
window.ipledgeVerify = showVerification;
showVerification();
