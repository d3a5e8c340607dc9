// Package store is what the persistent stores have in common: opening one
// from a URL ([Open]), the queries the in-memory logger offers, over a
// store ([EntityHistory], [UserActivity]), and the audits of scheduled
// runs ([Runs]), as a workflow scheduler keeps them.
//
// The stores themselves live in packages of their own, so that a program
// compiles only the one it imports: store/sqlite (one SQLite file),
// store/postgres (one PostgreSQL table, which many instances share) and
// store/file (Hive-partitioned JSON Lines, readable in place by DuckDB,
// Spark or Trino). Importing one registers its URL scheme with Open, as
// database/sql drivers do.
package store
