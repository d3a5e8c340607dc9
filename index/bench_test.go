package index_test

import (
	"strconv"
	"testing"

	"github.com/auditlog/auditlog/index"
)

// BenchmarkKeyedAdd measures the append path: every Add puts a new, larger
// seq under one of a fixed set of existing keys.
func BenchmarkKeyedAdd(b *testing.B) {
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "user-" + strconv.Itoa(i)
	}
	const reset = 1 << 16 // bound memory whatever b.N is
	k := new(index.Keyed)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%reset == 0 && i > 0 {
			b.StopTimer()
			k = new(index.Keyed)
			b.StartTimer()
		}
		k.Add(keys[i%len(keys)], uint64(i))
	}
}

var seekSink int

// BenchmarkSeek walks a list forward, each Seek skipping gap elements.
func BenchmarkSeek(b *testing.B) {
	seqs := make([]uint64, 1<<16)
	for i := range seqs {
		seqs[i] = uint64(2 * i)
	}
	for _, gap := range []int{1, 16, 1024} {
		b.Run("gap="+strconv.Itoa(gap), func(b *testing.B) {
			b.ReportAllocs()
			pos := 0
			for b.Loop() {
				target := pos + gap
				if target >= len(seqs) {
					pos, target = 0, gap
				}
				i, _ := index.Seek(seqs, pos, seqs[target]-1) // between elements
				pos = i
			}
			seekSink = pos
		})
	}
}

// BenchmarkPairsRing drives Pairs as the logger's entry-id index: each op
// is one record carrying two ids, in a ring of 100,000 records whose
// oldest leaves through Trim; ids are sequential ("mem-0000001", ...) or
// random.
func BenchmarkPairsRing(b *testing.B) {
	const ring = 100_000
	for _, order := range []string{"sequential", "random"} {
		ids := make([]string, 1<<20)
		for i := range ids {
			n := i
			if order == "random" {
				n = int(uint32(i) * 2654435761 % (1 << 30))
			}
			ids[i] = "mem-" + strconv.Itoa(n)
		}
		b.Run(order, func(b *testing.B) {
			x := index.NewPairs()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				seq := uint64(i + 1)
				x.Add(ids[(2*i)%len(ids)], seq)
				x.Add(ids[(2*i+1)%len(ids)], seq)
				if seq > ring {
					x.Trim(seq - ring + 1)
				}
			}
		})
	}
}
