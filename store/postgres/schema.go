package postgres

import (
	"strconv"
	"strings"
)

// schemaVersion is the layout below. The table's comment names it
// (tableComment); Open refuses a table without one or with a newer one.
const schemaVersion = 1

// tableComment marks a table as an auditlog store of a layout version.
const tableCommentPrefix = "auditlog store, schema "

func tableComment() string { return tableCommentPrefix + strconv.Itoa(schemaVersion) }

// lockKey is the first half of the key of the advisory lock Open holds
// while it creates the schema ("AUDT"); the second is hashtext of the
// table's qualified name, so that stores in other tables do not wait for
// each other.
const lockKey = 0x41554454

// names are the quoted names a Store uses in its statements, made from
// Options already checked by normalize; nothing else ever goes into the
// text of a statement.
type names struct {
	schema    string // "auditlog"
	table     string // "auditlog"."events"
	qualified string // auditlog.events, unquoted, for errors and to_regclass
	index     func(suffix string) string
}

func newNames(o *Options) names {
	return names{
		schema:    quote(o.Schema),
		table:     quote(o.Schema) + "." + quote(o.Table),
		qualified: o.Schema + "." + o.Table,
		index:     func(suffix string) string { return quote(o.Table + "_" + suffix) },
	}
}

// quote quotes an identifier. Schema and Table are plain identifiers
// (Options.normalize), so this is belt and braces.
func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// statusExpr is the status of a row, with "" read as SUCCESS; queries
// spell it exactly so, for PostgreSQL to use the index on it.
const statusExpr = "coalesce(nullif(status, ''), 'SUCCESS')"

// schema returns the statements that create the layout, version 1, each
// safe to run again.
//
// One row per event. The fields a Filter selects on have columns of their
// own, text in the "C" collation so that the order of ids and sources is
// Go's byte order, as logger.CompareEvents has it. time_ns is Event.Time
// in Unix nanoseconds, the store's order and time filter; time is the
// same instant as a timestamptz (to the microsecond) for SQL users, with a
// BRIN index, small and fit for a table that grows at the end of time.
// seq is Event.Seq as a signed 64-bit integer. entry_ids is the JSON
// array of the event's memory entry ids, as given; metadata,
// previous_state and new_state the event's maps; rest a JSON object of
// every other field (names, address, agent, changes, request, parent
// run, description, tags, duration, error), with the keys of the
// journal.
//
// Each B-tree on a field ends with time_ns, so that a filter on it and a
// time window is one range of the index, in the order Query returns;
// <table>_order carries the whole order for unfiltered queries, time
// windows and DeleteBefore.
func schema(n names) []string {
	t := n.table
	idx := func(suffix, def string) string {
		return "CREATE INDEX IF NOT EXISTS " + n.index(suffix) + " ON " + t + def
	}
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + n.schema,
		`CREATE TABLE IF NOT EXISTS ` + t + ` (
			event_id       text COLLATE "C" NOT NULL,
			time           timestamptz NOT NULL,
			time_ns        bigint NOT NULL,
			source         text COLLATE "C" NOT NULL DEFAULT '',
			seq            bigint NOT NULL,
			operation      text COLLATE "C" NOT NULL,
			status         text COLLATE "C" NOT NULL,
			category       text COLLATE "C" NOT NULL,
			user_id        text COLLATE "C" NOT NULL,
			session_id     text COLLATE "C" NOT NULL,
			resource_type  text COLLATE "C" NOT NULL,
			resource_id    text COLLATE "C" NOT NULL,
			run_id         text COLLATE "C" NOT NULL,
			entry_ids      jsonb,
			metadata       jsonb,
			previous_state jsonb,
			new_state      jsonb,
			rest           jsonb NOT NULL,
			CONSTRAINT ` + n.index("event_id") + ` UNIQUE (event_id)
		)`,
		idx("time", " USING brin (time)"),
		idx("order", " (time_ns, source, seq, event_id)"),
		idx("source", " (source, time_ns)"),
		idx("user", " (user_id, time_ns)"),
		idx("session", " (session_id, time_ns)"),
		idx("operation", " (operation, time_ns)"),
		idx("status", " (("+statusExpr+"), time_ns)"),
		idx("category", " (category, time_ns)"),
		idx("resource", " (resource_type, resource_id, time_ns)"),
		idx("resource_id", " (resource_id, time_ns)"),
		idx("run", " (run_id, time_ns)"),
		idx("entries", " USING gin (entry_ids)"),
		"COMMENT ON TABLE " + t + " IS '" + tableComment() + "'",
	}
}

// columns are what Write inserts and Query reads, in this order.
const columns = "event_id, time_ns, source, seq, operation, status, category, user_id, session_id, " +
	"resource_type, resource_id, run_id, entry_ids, metadata, previous_state, new_state, rest"

// insertSQL inserts a batch given as one array per column, in one
// statement: the rows whose event_id is already stored are skipped.
func insertSQL(n names) string {
	return `INSERT INTO ` + n.table + ` (event_id, time, time_ns, source, seq, operation, status, category,
		user_id, session_id, resource_type, resource_id, run_id, entry_ids, metadata, previous_state, new_state, rest)
	SELECT id, t, ns, src, seq, op, st, cat, usr, ses, rt, rid, run,
		nullif(ent, '')::jsonb, nullif(meta, '')::jsonb, nullif(prev, '')::jsonb, nullif(nw, '')::jsonb, rest::jsonb
	FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
		$16::text[], $17::text[], $18::text[])
		AS u(id, t, ns, src, seq, op, st, cat, usr, ses, rt, rid, run, ent, meta, prev, nw, rest)
	ON CONFLICT (event_id) DO NOTHING`
}
