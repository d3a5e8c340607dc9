// Package index holds the secondary indexes of the audit logger, from a
// key to the sequence numbers that carry it. [Keyed] indexes string keys
// with few distinct values (a user id, an operation) in a B-tree
// (github.com/tidwall/btree); [Pairs] indexes string keys that few records
// share (an entry id, a session) in hash tables, one per run of sequence
// numbers; [Ordered] indexes int64 keys (times) in order, for ranges.
//
// The package knows nothing of events. A caller hands it keys (a user id,
// an operation name, an entry id) and the sequence number of the record
// that carries them; it answers with posting lists, sorted ascending.
//
// # Append and evict in order
//
// Sequence numbers only grow, and records leave in the order they came (a
// ring). So a posting list is appended at its end and trimmed at its front:
// both O(1), no search, no rebalancing. [Keyed.Add] and [Keyed.Remove]
// rely on this and say what happens when it does not hold; [Pairs.Trim]
// drops the oldest records' pairs without touching them one by one.
//
// # Interning
//
// [Keyed.Add] returns the key's [Postings], whose [Postings.Key] is the
// index's own copy of the key. A caller that keeps the postings in its
// records, rather than the string it was given, holds each distinct value
// once, however many records carry it, and can remove a record later with
// [Keyed.RemoveFrom] without a lookup. [Pairs.Add] returns its own copy
// too, but one per pair: keys of a Pairs index are rarely shared.
//
// # Intersection
//
// [Between] narrows a posting list to a range of sequence numbers, [Seek]
// gallops forward through a list, and [Union] merges lists. Together they
// intersect lists in time proportional to the shortest one.
//
// # Concurrency
//
// Nothing here locks. The logger's writer goroutine is the only one that
// changes an index, under the logger's write lock; readers hold its read
// lock.
package index
