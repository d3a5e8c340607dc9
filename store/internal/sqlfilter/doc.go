// Package sqlfilter turns the fields of a logger.Filter that the SQL
// stores keep as columns into the conditions of a WHERE clause, with the
// values as parameters only: one definition of a match for every SQL
// store.
package sqlfilter
