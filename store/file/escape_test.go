package file

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

func TestEscapeValue(t *testing.T) {
	for v, want := range map[string]string{
		"":                           "__HIVE_DEFAULT_PARTITION__",
		"plain-value_1.2":            "plain-value_1.2",
		"a/b":                        "a%2Fb",
		"../../etc":                  "..%2F..%2Fetc",
		"..":                         "..",
		".":                          ".",
		`..\..\x`:                    `..%5C..%5Cx`,
		"x=y":                        "x%3Dy",
		"100%":                       "100%25",
		`"#%'*/:=?\{[]^`:             "%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%5B%5D%5E",
		"tab\tnl\ncr\rnul\x00\x1f":   "tab%09nl%0Acr%0Dnul%00%1F",
		"del\x7f":                    "del%7F",
		"space + } < > | ~ ! @ $ &":  "space + } < > | ~ ! @ $ &",
		"ünïcode €":                  "ünïcode €",
		"__HIVE_DEFAULT_PARTITION__": "%5F_HIVE_DEFAULT_PARTITION__",
		"__AUDITLOG_LONG_VALUE__":    "%5F_AUDITLOG_LONG_VALUE__",
		"bad\xffutf8":                "bad\uFFFDutf8",
	} {
		got := escapeValue(v)
		require.Equal(t, want, got, "escapeValue(%q)", v)
		require.Equal(t, strings.ToValidUTF8(v, "\uFFFD"), unescapeValue(got), "round trip of %q", v)
	}
	// Hive's unescape keeps what is not %XX.
	require.Equal(t, "%zz%4", unescapeValue("%zz%4"))
	require.Equal(t, "a%", unescapeValue("a%"))
	require.Equal(t, "a/", unescapeValue("a%2f"))
}

// FuzzEscapeValue checks, for any value, that the folder name is one
// path element that cannot leave its folder (with its key=), and that it reads back as
// the value the event's JSON holds.
func FuzzEscapeValue(f *testing.F) {
	for _, s := range []string{"", ".", "..", "../../etc", "a/b", `\`, "\x00", "%2F", "__HIVE_DEFAULT_PARTITION__", "__AUDITLOG_LONG_VALUE__", "\xff\xfe", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		esc := escapeValue(v)
		require.NotEmpty(t, esc)
		require.NotContains(t, esc, "/")
		require.NotContains(t, esc, `\`)
		require.NotContains(t, esc, "\x00")
		// Hive keeps "." and "..", but the folder is always key=value.
		name := "resource_name=" + esc
		require.Equal(t, name, filepath.Base(filepath.Clean(name)))
		require.True(t, utf8.ValidString(esc))
		require.NotEqual(t, longValues, esc, "only values too long for a name share that folder")
		want := sanitize(v)
		require.Equal(t, want, unescapeValue(esc))
	})
}

// sanitize replaces each byte that is not UTF-8 with U+FFFD, as the
// event's JSON does.
func sanitize(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(v[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hostile are partition values that try to leave the store's folder.
var hostile = []string{
	"../../etc", "..", ".", "a/b", "/", "/abs/path", `..\..\win`, `\`, "..%2F..", "%2e%2e",
	"date=2026-01-01", "x=y/../..", "nul\x00byte", "new\nline", "", "__HIVE_DEFAULT_PARTITION__", "__AUDITLOG_LONG_VALUE__",
	strings.Repeat("../", 40),
}

func TestHostileValuesStayInTheFolder(t *testing.T) {
	for _, key := range []string{"resource_name", "user_id", "resource_id"} {
		t.Run(key, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "store")
			s, err := Open(root, Options{PartitionBy: key})
			require.NoError(t, err)
			defer s.Close()
			var evs []logger.Event
			for i, v := range hostile {
				ev := logger.Event{ID: "e" + string(rune('a'+i)), Seq: uint64(i + 1), Time: time.Date(2026, 1, 10, 0, 0, i, 0, time.UTC), Operation: logger.OpStore}
				setKey(&ev, key, v)
				evs = append(evs, ev)
			}
			require.NoError(t, s.Write(context.Background(), evs))

			// Every file and folder is under root, and root alone is in
			// parent.
			entries, err := os.ReadDir(parent)
			require.NoError(t, err)
			require.Len(t, entries, 1)
			values := map[string]bool{}
			err = filepath.WalkDir(parent, func(path string, d fs.DirEntry, err error) error {
				require.NoError(t, err)
				rel, err := filepath.Rel(root, path)
				require.NoError(t, err)
				if path != parent {
					require.False(t, rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)), "%s is outside %s", path, root)
				}
				if d.IsDir() && filepath.Dir(path) == root {
					v, ok := strings.CutPrefix(d.Name(), key+"=")
					require.True(t, ok, d.Name())
					values[unescapeValue(v)] = true
				}
				return nil
			})
			require.NoError(t, err)
			// Each value has its own folder, which reads back as the value
			// (the empty one and the literal default name apart).
			for _, v := range hostile {
				require.True(t, values[v], "no folder for %q", v)
			}
			require.Len(t, values, len(hostile))

			got, err := s.Query(context.Background(), logger.Filter{Ascending: true})
			require.NoError(t, err)
			require.Equal(t, evs, got)
		})
	}
}

func setKey(ev *logger.Event, key, v string) {
	switch key {
	case "resource_name":
		ev.ResourceName = v
	case "user_id":
		ev.UserID = v
	case "resource_id":
		ev.ResourceID = v
	default:
		panic(key)
	}
}

// TestLongValuesFolderIsTheirs: the literal value __AUDITLOG_LONG_VALUE__
// has a folder of its own, apart from the values too long for a folder
// name, and each is queried back by its value.
func TestLongValuesFolderIsTheirs(t *testing.T) {
	root := t.TempDir()
	s := openT(t, root, Options{PartitionBy: "user_id"})
	at := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	literal := logger.Event{ID: "literal", Seq: 1, Time: at, Operation: logger.OpStore, UserID: longValues}
	long := logger.Event{ID: "long", Seq: 2, Time: at.Add(time.Second), Operation: logger.OpStore, UserID: strings.Repeat("u", 300)}
	require.NoError(t, s.Write(context.Background(), []logger.Event{literal, long}))

	for folder, id := range map[string]string{
		"user_id=%5F_AUDITLOG_LONG_VALUE__": "literal",
		"user_id=" + longValues:             "long",
	} {
		segs := segmentFiles(t, filepath.Join(root, folder))
		require.Len(t, segs, 1, folder)
		b, err := os.ReadFile(segs[0])
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(b), "\n"), folder)
		require.Contains(t, string(b), `"event_id":"`+id+`"`, folder)
	}
	for _, ev := range []logger.Event{literal, long} {
		got, err := s.Query(context.Background(), logger.Filter{UserID: ev.UserID})
		require.NoError(t, err)
		require.Equal(t, []logger.Event{ev}, got, ev.ID)
	}
	requireHolds(t, s, []logger.Event{literal, long})
}
