package failpoint_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/failpoint"
)

func TestEnableEvalDisable(t *testing.T) {
	require.NoError(t, failpoint.Eval("a"), "nothing enabled")
	boom := errors.New("boom")
	calls := 0
	disable := failpoint.Enable("a", func() error { calls++; return boom })
	require.ErrorIs(t, failpoint.Eval("a"), boom)
	require.NoError(t, failpoint.Eval("b"), "only the enabled name fails")
	require.Equal(t, 1, calls)
	disable()
	disable() // twice is fine
	require.NoError(t, failpoint.Eval("a"))
	require.Equal(t, 1, calls)
}

func TestShortWriteUnwraps(t *testing.T) {
	boom := errors.New("disk full")
	var err error = &failpoint.ShortWrite{N: 3, Err: boom}
	require.ErrorIs(t, err, boom)
	var sw *failpoint.ShortWrite
	require.True(t, errors.As(err, &sw))
	require.Equal(t, 3, sw.N)
	require.Contains(t, err.Error(), "disk full")
}
