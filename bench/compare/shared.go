package compare

import (
	"errors"
	"os"
	"sync"
)

// SharedDataset is one Dataset for the tests or benchmarks of a process:
// built in a temporary folder on first use, outside any timing, and
// removed by Close (from TestMain). The zero value is ready to use.
type SharedDataset struct {
	once sync.Once
	dir  string
	d    *Dataset
	err  error
}

// Get returns the dataset of the first n events, building it on the first
// call; later calls return the same dataset, whatever their n.
func (s *SharedDataset) Get(n int) (*Dataset, error) {
	s.once.Do(func() {
		s.dir, s.err = os.MkdirTemp("", "auditlog-bench-")
		if s.err == nil {
			s.d, s.err = NewDataset(n, s.dir)
		}
	})
	return s.d, s.err
}

// Close closes the dataset, if one was built, and removes its folder.
func (s *SharedDataset) Close() error {
	var errs []error
	if s.d != nil {
		errs = append(errs, s.d.Close())
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	return errors.Join(errs...)
}
