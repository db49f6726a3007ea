"""The audit log: §8 envelopes, the RFC 6962 Merkle tree over them, signed checkpoints."""
