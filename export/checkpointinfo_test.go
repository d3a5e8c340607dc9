package export_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

func TestCheckpointInfoRoundTrips(t *testing.T) {
	tree := export.NewTree()
	for i := range 11 {
		tree.Append([]byte{byte(i)})
	}
	st := tree.State()
	in := export.CheckpointInfo{
		Time:  time.Date(2026, 12, 5, 8, 40, 0, 123e6, time.UTC),
		File:  "audit-2026-12-05T08-40-00.120.jsonl",
		Range: st.Hashes,
	}
	cp := export.Checkpoint{Origin: "example.com/audit", Size: tree.Size(), Root: tree.Root(), Extensions: in.Extensions()}
	body, err := cp.Body()
	require.NoError(t, err)
	parsed, err := export.ParseCheckpoint(body)
	require.NoError(t, err)
	out, err := parsed.Info()
	require.NoError(t, err)
	require.True(t, in.Time.Equal(out.Time))
	require.Equal(t, in.File, out.File)
	require.Equal(t, in.Range, out.Range)

	removed := export.CheckpointInfo{Removed: "audit-2026-11-01T00-00-00.000.jsonl"}
	cp.Extensions = append(removed.Extensions(), "some-other-key whatever")
	out, err = cp.Info()
	require.NoError(t, err, "lines of other keys are ignored")
	require.Equal(t, removed.Removed, out.Removed)
}

func TestCheckpointInfoRefusesBadLines(t *testing.T) {
	tree := export.NewTree()
	for i := range 3 {
		tree.Append([]byte{byte(i)})
	}
	other := export.NewTree()
	other.Append([]byte("x"))
	other.Append([]byte("y"))
	other.Append([]byte("z"))
	good := tree.State()
	wrong := other.State()
	b64 := func(h []byte) string {
		return export.CheckpointInfo{File: "audit-2026-12-05T08-40-00.120.jsonl", Range: [][]byte{h}}.Extensions()[1][len("auditlog-range "):]
	}
	for _, tc := range []struct{ name, line string }{
		{"time", "auditlog-time yesterday"},
		{"file not rotated", "auditlog-file audit.jsonl"},
		{"file compressed", "auditlog-file audit-2026-12-05T08-40-00.120.jsonl.gz"},
		{"file with a path", "auditlog-file ../audit-2026-12-05T08-40-00.120.jsonl"},
		{"removed", "auditlog-removed /etc/passwd"},
		{"range without file", "auditlog-range " + b64(good.Hashes[0]) + " " + b64(good.Hashes[1])},
		{"range not base64", "auditlog-file audit-2026-12-05T08-40-00.120.jsonl\nauditlog-range !!!"},
		{"range of one hash too few", "auditlog-file audit-2026-12-05T08-40-00.120.jsonl\nauditlog-range " + b64(good.Hashes[0])},
		{"range of another tree", "auditlog-file audit-2026-12-05T08-40-00.120.jsonl\nauditlog-range " + b64(wrong.Hashes[0]) + " " + b64(wrong.Hashes[1])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := export.Checkpoint{Origin: "example.com/audit", Size: tree.Size(), Root: tree.Root()}
			body, err := cp.Body()
			require.NoError(t, err)
			parsed, err := export.ParseCheckpoint(append(body, []byte(tc.line+"\n")...))
			require.NoError(t, err)
			_, err = parsed.Info()
			require.ErrorIs(t, err, export.ErrBadCheckpoint)
		})
	}
}
