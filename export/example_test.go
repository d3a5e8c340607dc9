package export_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/auditlog/auditlog/export"
)

func ExampleWriteCSV() {
	events := []json.RawMessage{
		json.RawMessage(`{"event_id":"evt-1","seq":1,"timestamp":"2024-06-01T12:00:00Z","operation":"LOGIN","user_id":"alice","hash":"9f86d0"}`),
		json.RawMessage(`{"event_id":"evt-2","seq":2,"timestamp":"2024-06-01T12:00:01Z","operation":"STORE","user_id":"alice",` +
			`"resource_name":"=HYPERLINK(\"http://evil\")","tags":["a","b"],"duration_ms":1.5}`),
	}
	var out strings.Builder
	if err := export.WriteCSV(&out, events); err != nil {
		panic(err)
	}
	fmt.Print(out.String())

	// Reading it back undoes the formula guard and parses the JSON cells;
	// hash, not a column, is gone.
	back, format, err := export.ReadFrom(strings.NewReader(out.String()))
	if err != nil {
		panic(err)
	}
	fmt.Println(format, len(back))
	fmt.Println(string(back[1]))
	// Output:
	// event_id,seq,timestamp,operation,status,category,user_id,user_name,user_email,session_id,ip_address,user_agent,resource_type,resource_id,resource_name,entry_ids,run_id,parent_run_id,description,tags,duration_ms,error_message,error_stack,source,changes,previous_state,new_state,request,metadata
	// evt-1,1,2024-06-01T12:00:00Z,LOGIN,,,alice,,,,,,,,,,,,,,,,,,,,,,
	// evt-2,2,2024-06-01T12:00:01Z,STORE,,,alice,,,,,,,,"'=HYPERLINK(""http://evil"")",,,,,"[""a"",""b""]",1.5,,,,,,,,
	// csv 2
	// {"event_id":"evt-2","seq":2,"timestamp":"2024-06-01T12:00:01Z","operation":"STORE","user_id":"alice","resource_name":"=HYPERLINK(\"http://evil\")","tags":["a","b"],"duration_ms":1.5}
}

func ExampleReadFile() {
	dir, err := os.MkdirTemp("", "export-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// What the original (axon) export wrote: a document, pretty-printed.
	path := dir + "/axon.json"
	doc := `{
  "exported_at": "2025-01-15T10:31:00.000000",
  "total_events": 2,
  "events": [
    {"event_id": "evt_abc123", "timestamp": "2025-01-15T10:30:45.123456", "operation": "store"},
    {"event_id": "evt_def456", "timestamp": "2025-01-15T10:30:46.000001", "operation": "recall"}
  ]
}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		panic(err)
	}
	events, format, err := export.ReadFile(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(format)
	for _, ev := range events {
		fmt.Println(string(ev))
	}

	// Exporting again never overwrites.
	err = export.CreateFile(path, func(w io.Writer) error { return export.WriteJSONLines(w, events) })
	fmt.Println(errors.Is(err, export.ErrExists))
	// Output:
	// document
	// {"event_id":"evt_abc123","timestamp":"2025-01-15T10:30:45.123456","operation":"store"}
	// {"event_id":"evt_def456","timestamp":"2025-01-15T10:30:46.000001","operation":"recall"}
	// true
}
