package export

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/auditlog/auditlog/internal/fsafe"
)

var (
	// ErrTampered is returned, wrapped, by Report.Err when the chain
	// breaks.
	ErrTampered = errors.New("auditlog: journal: hash chain broken")

	// ErrKeyMismatch is returned, wrapped, by Report.Err when the chain
	// could not be checked with the key given: a keyed chain checked
	// without its key or with another, or a SHA-256 chain checked with a
	// key (see KeyStatus).
	ErrKeyMismatch = errors.New("auditlog: journal: hash chain not checked")

	// ErrUnknownFormat is returned, wrapped, by FormatFromPath for a path
	// whose extension names no format, and by WriteFormat for a Format
	// that is not one of the constants.
	ErrUnknownFormat = errors.New("auditlog: export: unknown format")

	// ErrExists is returned, wrapped with the path, by CreateFile when an
	// export would overwrite an existing file. It wraps fs.ErrExist, so
	// errors.Is(err, fs.ErrExist) holds too.
	ErrExists = fmt.Errorf("auditlog: export: %w", fs.ErrExist)

	// ErrCorrupt is returned, wrapped with the file (when known), the
	// line, record or element, and the cause, by ReadFile and ReadFrom
	// when an import file cannot be read: broken JSON or gzip, a value
	// that is not a JSON object, a CSV header or cell it does not know, a
	// line over the size limit.
	ErrCorrupt = errors.New("auditlog: export: corrupt input")

	// ErrNotRegular is returned, wrapped with the path, when a file of a
	// journal (its current file, a rotated file, a temporary file of its
	// compression) is a symbolic link, a FIFO, a device or a socket: the
	// journal never follows, opens, compresses nor removes such a file.
	ErrNotRegular = fsafe.ErrNotRegular

	// ErrHardLinked is returned, wrapped with the path, by OpenJournal
	// (and by Write, when it starts a new file) when audit.jsonl has more
	// than one name: a hard link to a file elsewhere, which the journal
	// would otherwise write into.
	ErrHardLinked = fsafe.ErrHardLinked

	// ErrUnsafeDir is returned, wrapped with the path and its mode, by
	// OpenJournal when the journal's folder is writable by its group or
	// by others (anyone who can write into it could plant files there),
	// or is not a folder.
	ErrUnsafeDir = fsafe.ErrUnsafeDir
)

var (
	// ErrBadCheckpoint is returned, wrapped with what is wrong, when a
	// checkpoint is malformed: its text (origin, size, root hash,
	// extension lines), the note around it, or an entry of a checkpoints
	// file.
	ErrBadCheckpoint = errors.New("auditlog: export: malformed checkpoint")

	// ErrNotSigned is returned, wrapped with the key, when a checkpoint
	// carries no signature of the verifier's key, or one that does not
	// verify.
	ErrNotSigned = errors.New("auditlog: export: checkpoint not signed by the key")

	// ErrWrongOrigin is returned, wrapped with both names, when a
	// checkpoint names a log other than the key's, or a signer's name is
	// not the checkpoint's origin.
	ErrWrongOrigin = errors.New("auditlog: export: checkpoint of another log")

	// ErrProofFailed is returned, wrapped with the cause, when an
	// inclusion or consistency proof does not verify against its
	// checkpoints: the line, the proof or the history was changed, or the
	// proof is of another tree.
	ErrProofFailed = errors.New("auditlog: export: proof does not verify")

	// ErrJournalMismatch is returned, wrapped with the sizes, when a
	// proof is asked of a journal that does not hold the tree of a
	// checkpoint: fewer lines than its size (lines cut from the end,
	// files removed), or lines that hash to another root (lines changed,
	// or another journal).
	ErrJournalMismatch = errors.New("auditlog: export: the journal does not match the checkpoint")

	// ErrNoSuchLine is returned by ProveInclusion when no line of the
	// checkpoint's tree is the one asked for.
	ErrNoSuchLine = errors.New("auditlog: export: no such line in the checkpoint's tree")

	// ErrBadBundle is returned, wrapped with what is wrong, by
	// UnmarshalBundle for input that is not a proof bundle.
	ErrBadBundle = errors.New("auditlog: export: malformed proof bundle")
)
