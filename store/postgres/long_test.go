//go:build postgres

package postgres_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

// randomText returns n bytes of text that does not compress, from seed.
func randomText(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 1))
	const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b strings.Builder
	for range n {
		b.WriteByte(abc[r.IntN(len(abc))])
	}
	return b.String()
}

// Values longer than a B-tree index entry may be (about 2.7 kB): an ID,
// a user, a source of 10 kB are stored, come back whole, and are found
// by a filter on them, and nothing else is; two values that share a long
// prefix are told apart.
func TestLongValues(t *testing.T) {
	s := openSchema(t, "t_long")
	ctx := context.Background()
	long := randomText(1, 10_000)
	evs := storetest.Events(6, 6)
	for i := range evs {
		evs[i].ID = long + evs[i].ID
	}
	evs[0].UserID, evs[1].UserID = long+"a", long+"b"
	evs[2].Source, evs[3].Source = long+"a", long+"b"
	evs[4].ResourceType, evs[4].ResourceID, evs[4].RunID = long, long+"ü", long
	evs[4].SessionID, evs[4].Category = long, long
	evs[5].EntryIDs = []string{long, "e1"}
	require.NoError(t, s.Write(ctx, evs))
	require.NoError(t, s.Write(ctx, evs), "and again: stored once")
	for _, f := range []logger.Filter{{}, {Ascending: true}, {UserID: long + "a"}, {UserID: long + "b"}, {UserID: long},
		{Source: long + "b"}, {ResourceType: long, ResourceID: long + "ü"}, {RunID: long}, {SessionID: long},
		{Category: long}, {EntryIDs: []string{long}}, {EntryIDs: []string{long + "x"}}} {
		want := store.Select(evs, f)
		got, err := s.Query(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), "a filter on %d bytes", len(f.UserID+f.Source+f.ResourceID))
		for i := range want {
			require.Equal(t, want[i], got[i])
		}
		n, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(want), n)
	}
}
