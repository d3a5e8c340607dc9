package index

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

var postingsSink *Postings

func TestPostingsInlineFirst(t *testing.T) {
	k := new(Keyed)
	k.Add("id", 7)
	p := k.Get("id")
	require.NotNil(t, p)
	require.Equal(t, []uint64{7}, p.Seqs())
	require.Equal(t, 1, p.Len())
	require.Same(t, &p.one[0], &p.Seqs()[0], "the first seq is stored inline")
	require.Equal(t, 1, cap(p.Seqs()), "the inline list has no room to grow into")

	k.Add("id", 9)
	require.Equal(t, []uint64{7, 9}, p.Seqs(), "the second seq moves the list out of line, first seq kept")
	require.NotSame(t, &p.one[0], &p.Seqs()[0])
	require.Equal(t, 2, p.Len())

	k.Add("id", 11)
	require.Equal(t, []uint64{7, 9, 11}, p.Seqs())

	// An out-of-order Add into an inline list.
	k2 := new(Keyed)
	k2.Add("id", 5)
	p2 := k2.Get("id")
	k2.Add("id", 3)
	require.Equal(t, []uint64{3, 5}, p2.Seqs())
}

func TestPostingsSingleSeqCostsOneAllocation(t *testing.T) {
	one := testing.AllocsPerRun(100, func() {
		p := &Postings{key: "k"}
		p.push(1)
		postingsSink = p
	})
	require.Equal(t, 1.0, one, "a list of one seq is the Postings itself")

	two := testing.AllocsPerRun(100, func() {
		p := &Postings{key: "k"}
		p.push(1)
		p.push(2)
		postingsSink = p
	})
	require.Equal(t, 2.0, two, "a second seq allocates the out-of-line list")
}

func TestPostingsRemoveEmpty(t *testing.T) {
	var p Postings
	require.False(t, p.remove(1))
	p.push(4)
	require.False(t, p.remove(3))
	require.True(t, p.remove(4))
	require.Empty(t, p.Seqs())
	require.Zero(t, p.Len())
	require.False(t, p.remove(4))
	// The emptied list takes new seqs again.
	p.push(6)
	p.push(8)
	require.Equal(t, []uint64{6, 8}, p.Seqs())
}

// TestPostingsSteadyFIFONoAllocs checks the documented promise: a list
// trimmed at the front as fast as it grows at the back stops allocating.
func TestPostingsSteadyFIFONoAllocs(t *testing.T) {
	for _, length := range []int{1, 2, 3, 10, 100} {
		p := &Postings{key: "k"}
		seq := uint64(0)
		for ; seq < uint64(length); seq++ {
			p.push(seq)
		}
		step := func() {
			p.push(seq)
			require.True(t, p.remove(seq-uint64(length)))
			seq++
		}
		for range 4 * length { // warm up: let the buffer reach its size
			step()
		}
		allocs := testing.AllocsPerRun(1000, step)
		require.Zero(t, allocs, "length %d", length)
		require.Equal(t, length, p.Len())
		want := make([]uint64, length)
		for i := range want {
			want[i] = seq - uint64(length) + uint64(i)
		}
		require.Equal(t, want, p.Seqs())
		require.LessOrEqual(t, cap(p.buf), 4*length+4, "length %d: the buffer stays proportional to the list", length)
	}
}

// TestPostingsRandom runs random pushes, inserts and removals (front and
// elsewhere) against a plain slice.
func TestPostingsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	for iter := 0; iter < 200; iter++ {
		p := &Postings{key: "k"}
		var model []uint64
		next := uint64(1)
		for step := 0; step < 500; step++ {
			switch op := r.IntN(10); {
			case op < 4 || len(model) == 0:
				next += 1 + r.Uint64N(3)
				p.push(next)
				model = append(model, next)
			case op < 7:
				require.True(t, p.remove(model[0]))
				model = model[1:]
			case op < 8:
				i := r.IntN(len(model))
				require.True(t, p.remove(model[i]))
				model = slices.Delete(model, i, i+1)
			case op < 9:
				s := r.Uint64N(next + 2)
				i, found := slices.BinarySearch(model, s)
				require.Equal(t, !found, p.insert(s), "insert %d into %v", s, model)
				if !found {
					model = slices.Insert(model, i, s)
				}
				if s > next {
					next = s
				}
			default:
				s := r.Uint64N(next + 2)
				i, found := slices.BinarySearch(model, s)
				require.Equal(t, found, p.remove(s))
				if found {
					model = slices.Delete(model, i, i+1)
				}
			}
			require.Equal(t, len(model), p.Len())
			if len(model) == 0 {
				require.Empty(t, p.Seqs())
			} else {
				require.Equal(t, model, p.Seqs(), "iter %d step %d", iter, step)
			}
		}
	}
}
