// Package export is the byte level of the audit trail: the JSON Lines
// journal, the hash chain over its lines, the Merkle tree, signed
// checkpoints and proofs over them, the readers that walk its current
// and rotated (gzipped too) files in order, the verifier, and the export
// and import file formats.
//
// It knows nothing of package logger's Event: an event here is one JSON
// object, as bytes. The only keys it reads are seq (in Verify) and the
// chain's own chain, prev_hash and hash.
//
// # Journal
//
// [OpenJournal] opens audit.jsonl in a folder; [Journal.Write] appends
// whole lines, rotating by size and by age (RotateEvery) under
// lumberjack's names, audit-<UTC time>.jsonl, gzipped after rotation when
// asked, and keeps rotated files as MaxBackups and MaxAge say.
// [Journal.Sync] fsyncs. The journal opens, creates, renames and removes
// its files itself, never through a symbolic link, and refuses a folder
// writable by others: see [Journal].
//
// # Hash chain
//
// [Chain] adds chain, prev_hash and hash to each line: SHA-256, or
// HMAC-SHA256 with a key, over the previous hash and the line's canonical
// bytes (the object as written, its chain key included, without prev_hash
// and hash); the chain key says which, so a keyed journal is known as
// keyed. [Verify] walks the files in order and reports each line
// modified, removed, inserted or reordered, a line that is not an event
// (not a JSON object with a seq), a missing file, where verification
// began, a torn last line, and a keyed chain checked without its key or
// with another.
//
// # Merkle tree, checkpoints and proofs
//
// [Tree] is the RFC 6962 Merkle tree over the journal's lines (leaf i is
// line i without its newline, counted from 0 over the files oldest
// first), kept as a compact range of at most 64 hashes. A [Checkpoint]
// states its size and root hash under the log's name, in the C2SP
// tlog-checkpoint format; [SignCheckpoint] signs it as a note with an
// Ed25519 key ([Ed25519Signer]) and [OpenCheckpoint] checks it with the
// public key alone. [CheckpointLog] appends signed checkpoints to the
// file [CheckpointsName] of the journal's folder, and [ReadCheckpoints]
// reads them back, refusing any not signed by the key.
//
// [ProveInclusion] proves that a line is in the tree of a checkpoint,
// and [VerifyInclusion] checks that proof offline, with the line, the
// proof, the signed checkpoint and the public key: a [Bundle] carries
// all of it in one JSON file. [ProveConsistency] and [VerifyConsistency]
// show that a later checkpoint extends an earlier one: nothing in the
// older tree was changed, removed or reordered since. The logger signs
// checkpoints as it writes (logger.CheckpointOptions), recording in
// their extension lines ([CheckpointInfo]) when each was signed, the
// tree's state at each rotation and each file retention removes;
// [CheckEvidence] checks a journal against them, and [ResumeTree]
// rebuilds the tree from the latest rotation's state.
//
// # Fault injection
//
// The journal's write, rotate and sync go through named failpoints
// ([FailWrite], [FailRotate], [FailSync]) that the library's tests enable
// to simulate a full or failing disk.
package export
