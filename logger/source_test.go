package logger_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// The default Source names the host, the program and the process.
func TestDefaultSource(t *testing.T) {
	s := logger.DefaultSource()
	require.True(t, strings.HasSuffix(s, "["+strconv.Itoa(os.Getpid())+"]"), s)
	if host, err := os.Hostname(); err == nil && host != "" {
		require.True(t, strings.HasPrefix(s, host+"/"), s)
	}
	l := newLogger(t, logger.Options{Now: fixedNow})
	require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
	require.Equal(t, s, l.Query(logger.Filter{})[0].Source)
}

func TestSourceOptionRefusesBadNames(t *testing.T) {
	for _, bad := range []string{strings.Repeat("a", 257), "a\nb", "tab\there", "\xff\xfe", "bell\a"} {
		_, err := logger.New(logger.Options{Source: bad})
		require.ErrorIs(t, err, logger.ErrInvalidOptions, "%q", bad)
	}
	l := newLogger(t, logger.Options{Source: strings.Repeat("é", 128)}) // 256 bytes
	require.NoError(t, l.Close())
}

// The ring keeps the Source of events a caller logged for another
// instance, selects by Source, and orders events of one time by Source,
// then Seq, as every store does.
func TestSourceInTheRing(t *testing.T) {
	l := newLogger(t, logger.Options{Source: "b-own"})
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, l.LogBatch(t.Context(), []logger.Event{
		{ID: "1", Time: at, Operation: logger.OpRead},                    // b-own
		{ID: "2", Time: at, Operation: logger.OpRead, Source: "c-other"}, //
		{ID: "3", Time: at, Operation: logger.OpRead, Source: "a-other"}, //
		{ID: "4", Time: at, Operation: logger.OpRead},                    // b-own
		{ID: "5", Time: at.Add(time.Second), Operation: logger.OpRead, Source: "a-other"},
	}))
	ids := func(evs []logger.Event) (s []string) {
		for _, ev := range evs {
			s = append(s, ev.ID+"@"+ev.Source)
		}
		return s
	}
	require.Equal(t, []string{"3@a-other", "1@b-own", "4@b-own", "2@c-other", "5@a-other"},
		ids(l.Query(logger.Filter{Ascending: true})))
	require.Equal(t, []string{"5@a-other", "2@c-other", "4@b-own", "1@b-own", "3@a-other"},
		ids(l.Query(logger.Filter{})))
	require.Equal(t, []string{"3@a-other", "5@a-other"}, ids(l.Query(logger.Filter{Source: "a-other", Ascending: true})))
	require.Equal(t, []string{"1@b-own", "4@b-own"}, ids(l.Query(logger.Filter{Source: "b-own", Ascending: true})))
	require.Equal(t, 2, l.Count(logger.Filter{Source: "a-other"}))
	require.Equal(t, 0, l.Count(logger.Filter{Source: "nobody"}))
	require.Equal(t, []string{"2@c-other"}, ids(l.Query(logger.Filter{Source: "c-other", Ascending: true, Limit: 1})))

	// The same ordering is CompareEvents'.
	evs := l.Query(logger.Filter{Ascending: true})
	for i := 1; i < len(evs); i++ {
		require.Negative(t, logger.CompareEvents(&evs[i-1], &evs[i]))
	}
}

// Once the events of other sources leave the ring, a Source filter
// selects by the logger's own Source alone.
func TestSourceFilterAfterEviction(t *testing.T) {
	l := newLogger(t, logger.Options{Source: "own", MaxEvents: 2})
	require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead, Source: "other"}))
	require.Equal(t, 1, l.Count(logger.Filter{Source: "other"}))
	require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
	require.Equal(t, 0, l.Count(logger.Filter{Source: "other"}))
	require.Equal(t, 2, l.Count(logger.Filter{Source: "own"}))
	require.Equal(t, 2, l.Count(logger.Filter{}))
}
