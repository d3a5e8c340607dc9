package logger

// The writer works in two stages, each a goroutine that owns its state.
// The writer (run) takes items from the queue, assigns sequence numbers
// and IDs, encodes, chains and writes the journal: everything that does
// not touch what readers see. The applier then inserts each batch into
// the ring, the indexes and the statistics under the write lock. The two
// overlap, one batch apart, so that on a machine with a spare core the
// work of one event is shared between two.
//
// Batches travel in stages: a fixed set of them, passed from the writer
// to the applier and back, so that nothing is allocated per batch and a
// stage's items (which its pending records point into) stay put until
// the applier is done with them.

// stage is one batch on its way from the writer to the applier: the items
// taken from the queue, the records prepared from them, and the Flush
// barriers to close once they are applied.
type stage struct {
	items    []item
	pending  []pendingRecord
	barriers []chan struct{}
}

// stages is how many batches can be in flight: one being prepared by the
// writer while the applier inserts the other.
const stages = 2

// newStages makes the stages, all free.
func newStages() (free, toApply chan *stage) {
	free, toApply = make(chan *stage, stages), make(chan *stage, stages)
	for range stages {
		free <- &stage{items: make([]item, 0, maxBatch)}
	}
	return free, toApply
}

// applier is the second stage's goroutine: it applies each stage the
// writer sends, closes its barriers, and hands the stage back. It returns
// once the writer closes toApply.
func (l *Logger) applier() {
	defer close(l.applierDone)
	for st := range l.toApply {
		if n := len(st.pending); n > 0 {
			l.mu.Lock()
			for i := range st.pending {
				l.insert(&st.pending[i])
			}
			l.mu.Unlock()
			l.applied.Add(int64(n))
			l.appliedSeq.Store(st.pending[n-1].seq)
			if len(l.delivery.memory) > 0 {
				l.feedSinks(st)
			}
		}
		for _, f := range st.barriers {
			close(f)
		}
		clear(st.barriers)
		clear(st.pending)
		clear(st.items) // let the callers' maps go
		st.barriers, st.pending, st.items = st.barriers[:0], st.pending[:0], st.items[:0]
		if cap(st.pending) > 4*maxBatch {
			st.pending = nil // a large LogBatch grew it: let it go
		}
		l.free <- st
	}
}

// settle waits until the applier has applied every stage sent to it. The
// writer calls it, holding no stage, before it answers a Flush or Sync.
func (l *Logger) settle() {
	var all [stages]*stage
	for i := range all {
		all[i] = <-l.free
	}
	for _, st := range all {
		l.free <- st
	}
}
