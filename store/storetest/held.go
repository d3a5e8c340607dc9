package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// RunHeld runs the tests of a store that is a store.IDHolder: HeldIDs
// returns exactly the IDs asked for that the store holds, whatever they
// hold, however many are asked for at once, across Close and Open, and
// store.HeldIDs, asked with repeats and the empty ID, returns the same.
func RunHeld(t *testing.T, open Opener) {
	t.Run("HeldIDs", func(t *testing.T) { testHeld(t, open) })
}

// oddIDs are IDs that an encoding, an escape or a cut could confuse
// with others: each is stored, and its neighbour in oddNeighbours is not.
var (
	oddIDs = []string{
		`with "quotes" and \backslash`, "tab\tnewline\nnul\x00end", "日本語-ü-😀", "<html>&amp;",
		"0190C3B4-5D6E-7F80-9A1B-2C3D4E5F6A7B", "' OR 1=1 --", "%_", strings.Repeat("long-", 300) + "a",
	}
	oddNeighbours = []string{
		`with "quotes" and /backslash`, "tab\tnewline\nnul", "日本語-ü-😁", "<html>&amp",
		"0190c3b4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "' OR 1=1 -- ", "%", strings.Repeat("long-", 300) + "b",
	}
)

func testHeld(t *testing.T, open Opener) {
	ctx := context.Background()
	evs := Events(seed(t), nEvents)
	for i, id := range oddIDs {
		evs[i].ID = id
	}
	stored := evs[:nEvents/2]
	s, dir := filled(t, open, stored)
	h, ok := s.(store.IDHolder)
	require.True(t, ok, "the store is a store.IDHolder")

	// Every ID of evs (more than a few hundred, held or not) and the odd
	// neighbours; for store.HeldIDs, an ID twice and the empty one too.
	var ask []string
	for i := range evs {
		ask = append(ask, evs[i].ID)
	}
	ask = append(ask, oddNeighbours...)
	messy := append(slices.Clone(ask), evs[3].ID, "", evs[nEvents-1].ID)
	want := map[string]bool{}
	for i := range stored {
		want[stored[i].ID] = true
	}
	requireHeld := func(s logger.Store, h store.IDHolder, name string) {
		t.Helper()
		got, err := h.HeldIDs(ctx, ask)
		require.NoError(t, err, name)
		set := map[string]bool{}
		for _, id := range got {
			require.False(t, set[id], "%s: %q returned twice", name, id)
			set[id] = true
		}
		require.Equal(t, want, set, name)
		viaStore, err := store.HeldIDs(ctx, s, messy)
		require.NoError(t, err, name)
		require.Equal(t, want, viaStore, name)
	}
	requireHeld(s, h, "after Write")

	// Nothing asked, or nothing held.
	got, err := h.HeldIDs(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = h.HeldIDs(ctx, []string{"no-such-id"})
	require.NoError(t, err)
	require.Empty(t, got)

	require.NoError(t, s.Close())
	s2, err := open(t, dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s2.Close() })
	requireHeld(s2, s2.(store.IDHolder), "after Close and Open")

	// Written since: held too.
	require.NoError(t, s2.Write(ctx, evs[nEvents/2:nEvents/2+10]))
	for i := range evs[nEvents/2 : nEvents/2+10] {
		want[evs[nEvents/2+i].ID] = true
	}
	requireHeld(s2, s2.(store.IDHolder), "after another Write")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s2.(store.IDHolder).HeldIDs(canceled, ask)
	require.ErrorIs(t, err, context.Canceled, fmt.Sprintf("%T", s2))
}
