package storetest_test

import (
	"sync"
	"testing"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestSuiteOnTheMemoryStore(t *testing.T) {
	var mu sync.Mutex
	folders := map[string]*storetest.Memory{}
	open := func(t *testing.T, dir string) (logger.Store, error) {
		mu.Lock()
		defer mu.Unlock()
		if m := folders[dir]; m != nil {
			return m.Reopen(), nil
		}
		folders[dir] = storetest.NewMemory()
		return folders[dir], nil
	}
	storetest.Run(t, open)
	storetest.RunDedup(t, open)
}
