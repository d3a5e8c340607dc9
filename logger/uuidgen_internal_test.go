package logger

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestIDGenIsUUIDv7(t *testing.T) {
	var g idGen
	now := time.Date(2026, 1, 15, 10, 30, 0, 123_000_000, time.UTC)
	g.stamp(now)
	id, err := g.next()
	require.NoError(t, err)
	require.Equal(t, uuid.Version(7), id.Version())
	require.Equal(t, uuid.RFC4122, id.Variant())
	sec, nsec := id.Time().UnixTime()
	require.Equal(t, now.UnixMilli(), sec*1000+nsec/1e6, "the first 48 bits are Unix milliseconds")
	parsed, err := uuid.Parse(id.String())
	require.NoError(t, err)
	require.Equal(t, id, parsed)
}

func TestIDGenGrowsAndIsUnique(t *testing.T) {
	var g idGen
	base := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	seen := make(map[uuid.UUID]bool)
	var last uuid.UUID
	check := func() {
		t.Helper()
		id, err := g.next()
		require.NoError(t, err)
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
		require.Equal(t, 1, bytes.Compare(id[:], last[:]), "%s after %s", id, last)
		last = id
	}
	g.stamp(base)
	for range 10_000 { // more than the 4,096 a millisecond's counter holds
		check()
	}
	g.stamp(base.Add(-time.Hour)) // the clock steps back
	for range 100 {
		check()
	}
	g.stamp(base.Add(time.Hour))
	check()
	sec, nsec := last.Time().UnixTime()
	require.Equal(t, base.Add(time.Hour).UnixMilli(), sec*1000+nsec/1e6, "a clock that moves forward again is followed")
	require.Len(t, seen, 10_101)
}

func TestIDGenRandomBits(t *testing.T) {
	var g idGen
	g.stamp(time.Now())
	a, err := g.next()
	require.NoError(t, err)
	b, err := g.next()
	require.NoError(t, err)
	require.NotEqual(t, a[9:], b[9:], "the last 62 bits are random")
}

func TestIDGenReadError(t *testing.T) {
	fail := errors.New("entropy unavailable")
	calls := 0
	g := idGen{read: func(p []byte) (int, error) {
		calls++
		if calls == 1 {
			return 0, fail
		}
		for i := range p {
			p[i] = 0xff
		}
		return len(p), nil
	}}
	g.stamp(time.Now())
	a, err := g.next()
	require.ErrorIs(t, err, fail)
	require.Equal(t, uuid.Version(7), a.Version())
	require.Equal(t, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}, a[8:], "random bits left zero")
	b, err := g.next()
	require.NoError(t, err, "crypto/rand is tried again")
	require.Equal(t, byte(0xbf), b[8])
	require.NotEqual(t, a, b)
	require.Equal(t, 2, calls)
}
