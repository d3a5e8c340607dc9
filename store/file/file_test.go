package file

import (
	"testing"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("date", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{})
		})
	})
	t.Run("resource_name", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{PartitionBy: "resource_name"})
		})
	})
	t.Run("user_id, small segments, sync", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{PartitionBy: "user_id", SegmentBytes: 4096, Sync: true})
		})
	})
}
