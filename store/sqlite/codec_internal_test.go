package sqlite

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// A body planted in the database that inflates past export.MaxLineBytes
// is refused as corrupt after inflating no more than that: the cost of
// reading one row is bounded.
func TestDecodeRefusesABodyThatInflatesPastTheLimit(t *testing.T) {
	var body bytes.Buffer
	zw, err := zlib.NewWriterLevelDict(&body, zlib.BestCompression, dictV1)
	require.NoError(t, err)
	_, err = io.WriteString(zw, `{"event_id":"x","pad":"`)
	require.NoError(t, err)
	chunk := strings.Repeat(" ", 1<<20)
	for range export.MaxLineBytes>>20 + 1 {
		_, err = io.WriteString(zw, chunk)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	t.Logf("a body of %d bytes", body.Len())

	var d decoder
	var ev logger.Event
	err = d.decode(body.Bytes(), &ev)
	require.ErrorContains(t, err, "corrupt event body")
	require.ErrorContains(t, err, "inflates past")
	require.Zero(t, d.line.Cap(), "the inflated bytes are not kept")

	// A body as Write writes it still decodes.
	want := logger.Event{ID: "e", Seq: 1, Operation: logger.OpStore, Description: strings.Repeat("d", 4096)}
	require.NoError(t, d.decode(appendBody(nil, &want), &ev))
	require.Equal(t, want.Description, ev.Description)
}
