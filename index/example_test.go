package index_test

import (
	"fmt"

	"github.com/auditlog/auditlog/index"
)

func ExampleKeyed() {
	var users index.Keyed
	// Records 1 to 4 carry a user each. Add returns the key's postings,
	// whose Key is the index's own copy of the string.
	var bob *index.Postings
	for seq, u := range []string{"alice", "bob", "alice", "alice"} {
		if p := users.Add(u, uint64(seq+1)); u == "bob" {
			bob = p
		}
	}
	fmt.Println(users.Get("alice").Seqs(), users.Get("bob").Seqs())
	fmt.Println(users.Keys(), "keys,", users.Refs(), "refs")

	// Record 1 leaves the ring, then record 2: bob's last record goes.
	// A caller that kept the postings removes without a lookup.
	users.Remove("alice", 1)
	users.RemoveFrom(bob, 2)
	fmt.Println(users.Get("alice").Seqs(), users.Get("bob") == nil)

	users.Ascend("", func(key string, p *index.Postings) bool {
		fmt.Println(key, p.Len())
		return true
	})
	// Output:
	// [1 3 4] [2]
	// 2 keys, 4 refs
	// [3 4] true
	// alice 2
}

func ExampleSeek() {
	a := []uint64{3, 9, 20}
	b := []uint64{1, 2, 3, 5, 8, 9, 13, 21}
	// Intersect a and b: walk b forward with Seek, never going back.
	pos := 0
	for _, s := range a {
		i, found := index.Seek(b, pos, s)
		if found {
			fmt.Println("both carry", s)
		}
		pos = i
	}
	fmt.Println(index.Seek(b, pos, 100))
	// Output:
	// both carry 3
	// both carry 9
	// 8 false
}

func ExampleBetween() {
	seqs := []uint64{2, 4, 6, 8, 10}
	fmt.Println(index.Between(seqs, 4, 8))
	fmt.Println(index.Between(seqs, 5, 5))
	fmt.Println(index.Union(index.Between(seqs, 2, 4), []uint64{3, 4, 5}))
	// Output:
	// [4 6 8]
	// []
	// [2 3 4 5]
}
