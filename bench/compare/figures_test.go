package compare_test

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// TestStatsSourcesAgree checks that Statistics and the SQL aggregate give
// the figures computed from the events directly.
func TestStatsSourcesAgree(t *testing.T) {
	d := dataset(t)
	want := compare.FiguresOfEvents(d.Events)
	if want.Total != int64(len(d.Events)) || len(want.ByOperation) != 6 || len(want.ByStatus) != 3 {
		t.Fatalf("reference figures %+v", want)
	}
	for _, s := range d.StatsSources() {
		got, err := s.Figures()
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if err := want.Agree(got); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// TestFiguresAgreeNamesDifferences checks that Agree sees a difference in
// each figure.
func TestFiguresAgreeNamesDifferences(t *testing.T) {
	base := func() compare.Figures {
		return compare.Figures{
			Total: 10, ByOperation: map[string]int64{"STORE": 10}, ByStatus: map[string]int64{"SUCCESS": 9, "FAILURE": 1},
			SuccessRate: 0.9, AvgDurationMs: 12.5,
		}
	}
	if err := base().Agree(base()); err != nil {
		t.Fatal(err)
	}
	changes := map[string]func(f *compare.Figures){
		"total":        func(f *compare.Figures) { f.Total++ },
		"by operation": func(f *compare.Figures) { f.ByOperation["RECALL"] = 1 },
		"by status":    func(f *compare.Figures) { f.ByStatus["FAILURE"] = 2 },
		"success rate": func(f *compare.Figures) { f.SuccessRate = 0.8 },
		"duration":     func(f *compare.Figures) { f.AvgDurationMs = 12.6 },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			f := base()
			change(&f)
			if base().Agree(f) == nil {
				t.Error("no difference seen")
			}
		})
	}
}
