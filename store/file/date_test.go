package file

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// An event is filed under its own UTC date, whatever the event before it
// in the batch: the last second of 1969 and noon of 1 January 1970 go to
// two folders, so that a query from 1970 finds the second and a cleanup
// before 06:00 that day keeps it.
func TestDateAcrossTheEpoch(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, Options{})
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, []logger.Event{
		{ID: "a", Seq: 1, Time: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), Operation: logger.OpStore},
		{ID: "b", Seq: 2, Time: time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC), Operation: logger.OpStore},
		// In another zone: the date is the UTC one, 1970-01-02.
		{ID: "c", Seq: 3, Time: time.Date(1970, 1, 1, 23, 0, 0, 0, time.FixedZone("UTC-3", -3*3600)), Operation: logger.OpStore},
	}))
	names, err := readDirNames(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"date=1969-12-31", "date=1970-01-01", "date=1970-01-02"}, names)

	n, err := s.Count(ctx, logger.Filter{Since: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(1970, 1, 1, 23, 59, 59, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, 1, n, "Count since 1970-01-01 that day")
	n, err = s.DeleteBefore(ctx, time.Date(1970, 1, 1, 6, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, 1, n, "DeleteBefore 1970-01-01T06:00Z removes the 1969 event only")
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Equal(t, []string{"b", "c"}, ids(got))
	_, err = os.Stat(dir + "/date=1969-12-31")
	require.ErrorIs(t, err, os.ErrNotExist)
}
