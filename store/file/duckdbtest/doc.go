// Package duckdbtest proves that the folders of store/file are readable
// in place by DuckDB as a Hive-partitioned JSON Lines dataset: its test
// writes events through the store, in both layouts, and compares
// DuckDB's count by operation and date with the store's own Count.
//
// It is a module of its own so that the library does not depend on
// DuckDB (a cgo binding: building it needs a C toolchain). Run it with
//
//	cd store/file/duckdbtest && go test ./...
package duckdbtest
