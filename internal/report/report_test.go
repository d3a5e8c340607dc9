package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/report"
	"github.com/auditlog/auditlog/logger"
)

var january = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// monthOfEvents returns events over January 2026, with no event on the
// 10th and the 11th, plus one event on each side of the month.
func monthOfEvents() []logger.Event {
	var evs []logger.Event
	users := []string{"alice", "bob", "carol", "<script>alert('x')</script>"}
	ops := []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpRecall, logger.OpForget, logger.OpExport}
	for day := 1; day <= 31; day++ {
		if day == 10 || day == 11 {
			continue
		}
		for i := 0; i < day%7+3; i++ {
			ev := logger.Event{
				Seq:       uint64(len(evs) + 1),
				Time:      time.Date(2026, 1, day, 8+i, 0, 0, 0, time.UTC),
				Operation: ops[(day+i)%len(ops)],
				UserID:    users[(day*3+i)%len(users)],
				Status:    logger.StatusSuccess,
			}
			if (day+i)%9 == 0 {
				ev.Status, ev.ErrorMessage = logger.StatusFailure, fmt.Sprintf("denied <%d>", day)
				ev.ResourceType, ev.ResourceID = "memory", "m-1"
			}
			evs = append(evs, ev)
		}
	}
	evs = append(evs,
		logger.Event{Time: time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), Operation: logger.OpStore, UserID: "early"},
		logger.Event{Time: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Operation: logger.OpStore, UserID: "late"})
	return evs
}

func TestBuild(t *testing.T) {
	evs := monthOfEvents()
	r := report.Build(evs, january.Add(15*24*time.Hour), report.Options{})
	require.Equal(t, "January 2026", r.Month)
	require.Equal(t, len(evs)-2, r.Events, "the events of the month only")
	require.Len(t, r.Days, 31)
	require.Equal(t, []string{"2026-01-10", "2026-01-11"}, r.EmptyDays)
	sum, failures := 0, 0
	for _, d := range r.Days {
		sum += d.Events
	}
	require.Equal(t, r.Events, sum)
	for _, ev := range evs[:len(evs)-2] {
		if ev.Status == logger.StatusFailure {
			failures++
		}
	}
	require.Equal(t, failures, r.Failures)
	require.Len(t, r.FailureList, failures)
	for i := 1; i < len(r.FailureList); i++ {
		require.False(t, r.FailureList[i].Time.After(r.FailureList[i-1].Time), "failures newest first")
	}
	require.Equal(t, 4, r.Users)
	require.Equal(t, logger.OpRecall, logger.Operation(r.Operations[0].Name), "the commonest operation first")
	total := 0
	for _, u := range r.PerUser {
		total += u.Events
		require.Equal(t, u.Events, u.Stores+u.Recalls+u.Deletes+u.DeletesFailed+countOf(evs, u.ID, logger.OpExport, "")+
			countOf(evs, u.ID, logger.OpStore, logger.StatusFailure)+countOf(evs, u.ID, logger.OpRecall, logger.StatusFailure))
	}
	require.Equal(t, r.Events, total)
}

// countOf counts the month's events of user and op, of status st ("":
// any).
func countOf(evs []logger.Event, user string, op logger.Operation, st logger.Status) int {
	n := 0
	for _, ev := range evs[:len(evs)-2] {
		if ev.UserID == user && ev.Operation == op && (st == "" || ev.Status == st) {
			n++
		}
	}
	return n
}

func TestWriteEscapesEventData(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, monthOfEvents(), january, report.Options{}))
	html := b.String()
	require.NotContains(t, html, "<script", "the page has no script, and event data cannot add one")
	require.Contains(t, html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
	require.Contains(t, html, "denied &lt;")
	require.Contains(t, html, "2026-01-10, 2026-01-11")
	require.NotContains(t, html, "http://", "self-contained: no link to fetch")
	require.NotContains(t, html, "https://")
	require.Equal(t, 2, strings.Count(html, "<svg "))
}

func TestWriteAnEmptyMonth(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, nil, january, report.Options{}))
	require.Contains(t, b.String(), "No failures.")
	r := report.Build(nil, january, report.Options{})
	require.Len(t, r.EmptyDays, 31)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriteErrors(t *testing.T) {
	require.ErrorContains(t, report.Write(failingWriter{}, monthOfEvents(), january, report.Options{}), "disk full")
}

// hostile holds every character that could hide or rearrange text:
// bidirectional embeddings, overrides and isolates, zero-width
// characters, and C0 and C1 controls.
const hostile = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" +
	"\u200b\u200c\u200d\ufeff" + "\x00\x07\x1b[2J\r\n\t\x7f\u0085\u009b\u2028\u2029"

// Event text reaches the page with every hostile character written as an
// escape, as the command line shows it, wherever the page prints it.
func TestWriteEscapesHiddenCharacters(t *testing.T) {
	text := func(name string) string { return name + hostile + "end" }
	ev := logger.Event{
		Time: january.Add(36 * time.Hour), Status: logger.StatusFailure,
		Operation: logger.Operation(text("OP")), UserID: text("user"),
		UserName: text("name"), UserEmail: text("email"), SessionID: text("session"),
		ResourceType: text("type"), ResourceID: text("id"), ResourceName: text("resource"),
		Category: text("category"), Description: text("description"),
		ErrorMessage: text("error"), ErrorStack: text("stack"), Tags: []string{text("tag")},
		Metadata: map[string]any{text("key"): text("value")}, RunID: text("run"),
	}
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, []logger.Event{ev}, january, report.Options{}))
	html := b.String()
	for _, r := range hostile {
		if r == '\n' || r >= ' ' && r < 0x7f {
			continue // the page's own markup has newlines, and "[2J" is text
		}
		require.NotContains(t, html, string(r), "%U reaches the page", r)
	}
	escaped := `\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\x00\a\x1b[2J\r\n\t\x7f\u0085\u009b\u2028\u2029end`
	for _, name := range []string{"user", "OP", "type", "id", "error"} {
		require.Contains(t, html, name+escaped, "%s is shown, escaped", name)
	}
	require.Equal(t, 8, strings.Count(html, escaped), "the user twice (users, failures), the operation three times (chart label and title, failures), the resource type and id and the error once each")
}
