package index_test

import (
	"testing"

	"github.com/auditlog/auditlog/index"
	"github.com/stretchr/testify/require"
)

func TestKeyedAddInterns(t *testing.T) {
	var k index.Keyed
	a := k.Add(string([]byte("alice")), 1).Key()
	b := k.Add(string([]byte("alice")), 2).Key()
	require.Equal(t, "alice", a)
	require.Same(t, unsafeData(a), unsafeData(b), "the second Add returns the index's copy")
	require.Equal(t, []uint64{1, 2}, k.Get("alice").Seqs())
}
