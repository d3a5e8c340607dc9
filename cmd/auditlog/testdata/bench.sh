#!/usr/bin/env bash
# bench.sh measures auditlog beside zcat | jq doing the same selection on
# the same journal of a million events (written, when missing, by
# genjournal through the library): each command RUNS times (default 5),
# the two interleaved, and prints the median wall time of each and the
# number of lines each printed.
#
#   bash cmd/auditlog/testdata/bench.sh [DIR]     # DIR default /tmp/audit_1m
set -euo pipefail
dir=${1:-/tmp/audit_1m}
runs=${RUNS:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
if [[ ! -d $dir ]]; then
	(cd "$root" && go run ./cmd/auditlog/testdata/genjournal -dir "$dir" -events 1000000)
fi
bin=$(mktemp -d)/auditlog
(cd "$root" && go build -o "$bin" ./cmd/auditlog)
command -v jq >/dev/null || { echo "bench.sh: jq is missing (apt-get install -y jq)" >&2; exit 1; }
# The journal's files, oldest first: the glob sorts the rotated names,
# which sort by time, then the current file.
files="$dir/audit-*.jsonl* $dir/audit.jsonl"

# time_of CMD: "MS LINES", the wall milliseconds of one run of CMD (a
# shell string) and the lines it printed.
time_of() {
	local start end lines
	start=$(date +%s%N)
	lines=$(bash -c "$1" | wc -l)
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000000 )) $lines"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() {
	local name=$1 ours=$2 theirs=$3 a=() b=() la lb r
	for _ in $(seq "$runs"); do
		r=$(time_of "$ours"); a+=("${r% *}"); la=${r#* }
		r=$(time_of "$theirs"); b+=("${r% *}"); lb=${r#* }
	done
	printf '%s\n  auditlog: %s\n  jq:       %s\n' "$name" "$ours" "$theirs"
	printf '  median of %d runs: auditlog %d ms (%s lines), zcat | jq %d ms (%s lines); runs: auditlog %s, jq %s\n\n' \
		"$runs" "$(printf '%s\n' "${a[@]}" | median)" "$la" "$(printf '%s\n' "${b[@]}" | median)" "$lb" "${a[*]}" "${b[*]}"
}

echo "journal: $dir ($(du -sh "$dir" | cut -f1), $(ls $files | wc -l) files), $(nproc) cores, $(go version | cut -d' ' -f3), $(jq --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
compare "one user's STOREs (187 of 1,000,000)" \
	"$bin query $dir --user user-0042 --op store --format jsonl" \
	"zcat -f $files | jq -c 'select(.user_id == \"user-0042\" and .operation == \"STORE\")'"
compare "one day (2026-01-15, 34,483 events), oldest first" \
	"$bin query $dir --since 2026-01-15 --until 2026-01-15 --asc --format jsonl" \
	"zcat -f $files | jq -c 'select(.timestamp >= \"2026-01-15\" and .timestamp < \"2026-01-16\")'"
compare "the 10 latest failures (jq relies on the journal being in time order)" \
	"$bin query $dir --status failure --limit 10 --format jsonl" \
	"zcat -f $files | jq -c 'select(.status == \"FAILURE\")' | tail -n 10"
compare "events by operation (auditlog: all of stats)" \
	"$bin stats $dir --format json" \
	"zcat -f $files | jq -n 'reduce inputs as \$e ({}; .[\$e.operation] += 1)'"
