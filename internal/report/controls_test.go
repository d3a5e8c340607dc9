package report_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/report"
	"github.com/auditlog/auditlog/logger"
)

// Whatever field a terminal escape sequence and a bell come in, by an
// event or by the options the page shows, the page holds no raw control
// byte: no byte below 0x20 but the newlines of its own markup, and no
// DEL. They are shown as \x1b and \a.
func TestWriteHasNoRawControlBytes(t *testing.T) {
	const bad = "\x1b[31mred\a"
	ev := logger.Event{
		Time: january.Add(50 * time.Hour), Status: logger.StatusFailure, Seq: 3, Source: "src" + bad,
		Operation: logger.Operation("OP" + bad), UserID: "user" + bad, ResourceType: "type" + bad,
		ResourceID: "id" + bad, ErrorMessage: "error" + bad,
		Metadata: map[string]any{"key" + bad: "value" + bad},
	}
	opts := report.Options{
		Generated: january.AddDate(0, 1, 0), Tool: "tool" + bad,
		Filters:    []report.Filter{{Name: "--user", Value: "user" + bad}},
		Inputs:     []report.Input{{Name: "journal" + bad, Kind: "journal", Chain: "chain" + bad}},
		Checkpoint: "checkpoint" + bad,
	}
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, []logger.Event{ev}, january, opts))
	for i, c := range b.Bytes() {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("raw control byte %#x at %d: %q", c, i, b.Bytes()[max(0, i-40):min(b.Len(), i+40)])
		}
	}
	for _, want := range []string{"user", "OP", "type", "id", "error", "src", "tool", "journal", "chain", "checkpoint"} {
		require.Contains(t, b.String(), want+`\x1b[31mred\a`, "%s is shown, escaped", want)
	}
}
